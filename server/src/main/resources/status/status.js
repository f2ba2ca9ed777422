// The status page of an rtmp-cluster node: the cluster's nodes and streams from /api/streams,
// read every second, and a preview of a stream from an edge's HLS (fMP4) through Media Source
// Extensions. No library and no build step: what a browser has is enough for a preview.
'use strict';

const REFRESH_MS = 1000;
const TOKEN_KEY = 'rtmp-cluster-api-token';

const $ = (id) => document.getElementById(id);
let thisNode = null;
let latest = null;
let preview = null;
const failures = [];

/** GET an API path as JSON, with the operator's token when one was given. */
async function api(path) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    headers.Authorization = 'Bearer ' + token;
  }
  const response = await fetch(path, { headers, cache: 'no-store' });
  if (response.status === 401) {
    $('login').hidden = false;
    throw new Error('this node\'s API needs its token');
  }
  if (!response.ok) {
    throw new Error(path + ': ' + response.status + ' ' + (await response.text()));
  }
  return response.json();
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text === null || text === undefined ? '–' : String(text);
  if (className) {
    td.className = className;
  }
  return td;
}

function kbits(bitsPerSecond) {
  return bitsPerSecond === null || bitsPerSecond === undefined ? null
    : Math.round(bitsPerSecond / 1000).toLocaleString() + ' kbit/s';
}

function age(at) {
  return at ? ((Date.now() - at) / 1000).toFixed(1) + ' s ago' : null;
}

function renderNodes(nodes) {
  const body = $('nodes').tBodies[0];
  body.replaceChildren();
  for (const node of nodes) {
    const row = body.insertRow();
    row.dataset.node = node.node;
    cell(row, node.node + (node.node === thisNode ? ' (this node)' : ''));
    cell(row, (node.roles || []).join(', '));
    cell(row, node.connections, 'number');
    const players = node.players || {};
    for (const protocol of ['rtmp', 'rtmps', 'http-flv', 'ws-flv', 'hlsStreams']) {
      cell(row, players[protocol], 'number');
    }
    const stale = node.updatedAt && Date.now() - node.updatedAt > 3000;
    cell(row, age(node.updatedAt), stale ? 'stale' : 'muted');
  }
}

function renderStreams(streams) {
  const body = $('streams').tBodies[0];
  body.replaceChildren();
  $('no-streams').hidden = streams.length > 0;
  for (const stream of streams) {
    const row = body.insertRow();
    row.dataset.stream = stream.name;
    const origin = stream.origin || {};
    cell(row, stream.name);
    cell(row, stream.live ? 'live' : 'waiting', stream.live ? 'live' : 'muted');
    cell(row, origin.node);
    cell(row, [origin.videoCodec, origin.audioCodec].filter(Boolean).join(' + ') || null);
    cell(row, kbits(origin.inputBitrate), 'number');
    cell(row, origin.fps, 'number');
    cell(row, stream.standby.map((s) => s.node + ' (' + s.state + ')').join(', ') || null, 'standby');
    cell(row, stream.nodes.map((n) => n.node + ': ' + n.players).join(', ') || null);
    cell(row, stream.nodes.reduce((sum, n) => sum + (n.players || 0), 0), 'number');
    const actions = row.insertCell();
    if (stream.live && edgeFor(stream)) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Preview';
      button.className = 'preview';
      button.addEventListener('click', () => startPreview(stream));
      actions.appendChild(button);
    }
  }
}

/** The edge to preview a stream from: this node if it serves browsers, else one that plays it, else any. */
function edgeFor(stream) {
  const edges = latest.nodes.filter((n) => n.playHttp && (n.roles || []).includes('edge'));
  const playing = new Set(stream.nodes.map((n) => n.node));
  return edges.find((n) => n.node === thisNode) || edges.find((n) => playing.has(n.node)) || edges[0] || null;
}

async function refresh() {
  try {
    if (thisNode === null) {
      const node = await api('/api/node');
      thisNode = node.node;
      $('cluster').textContent = 'cluster ' + node.cluster + ' · page from ' + node.node;
    }
    latest = await api('/api/streams');
    renderNodes(latest.nodes);
    renderStreams(latest.streams);
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    $('error').hidden = true;
  } catch (e) {
    $('error').textContent = String(e.message || e);
    $('error').hidden = false;
  }
}

// ---- the preview: segments of the edge's LL-HLS playlist, appended to a SourceBuffer

function parsePlaylist(text, url) {
  const segments = [];
  let map = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith('#EXT-X-MAP:')) {
      map = new URL(/URI="([^"]+)"/.exec(line)[1], url).href;
    } else if (line.startsWith('#EXTINF:')) {
      const uri = lines[i + 1].trim();
      segments.push({ number: parseInt(uri, 10), url: new URL(uri, url).href, map });
    }
  }
  return segments;
}

class Preview {
  constructor(video, base, onState) {
    this.video = video;
    this.base = base;
    this.onState = onState;
    this.stopped = false;
    this.last = -1;
    this.map = null;
  }

  async start() {
    const master = await this.text(this.base + '/master.m3u8');
    const codecs = /CODECS="([^"]+)"/.exec(master);
    if (!codecs) {
      throw new Error('the edge named no codecs for this stream');
    }
    const type = 'video/mp4; codecs="' + codecs[1] + '"';
    if (!window.MediaSource || !MediaSource.isTypeSupported(type)) {
      throw new Error('this browser cannot play ' + type);
    }
    this.media = new MediaSource();
    this.video.src = URL.createObjectURL(this.media);
    await new Promise((resolve) => this.media.addEventListener('sourceopen', resolve, { once: true }));
    this.buffer = this.media.addSourceBuffer(type);
    this.onState('playing ' + codecs[1] + ' from ' + this.base);
    while (!this.stopped) {
      await this.appendNew();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Appends the segments the playlist lists that are not appended yet; the first time, only the newest. */
  async appendNew() {
    const url = this.base + '/index.m3u8';
    let segments = parsePlaylist(await this.text(url), url).filter((s) => s.number > this.last);
    if (this.last < 0) {
      segments = segments.slice(-1);
    }
    for (const segment of segments) {
      if (this.stopped) {
        return;
      }
      if (segment.map !== this.map) {
        await this.append(await this.bytes(segment.map));
        this.map = segment.map;
      }
      await this.append(await this.bytes(segment.url));
      this.last = segment.number;
    }
    const buffered = this.video.buffered;
    if (buffered.length > 0) {
      const end = buffered.end(buffered.length - 1);
      if (this.video.currentTime < buffered.start(0) || end - this.video.currentTime > 8) {
        this.video.currentTime = Math.max(buffered.start(buffered.length - 1), end - 3);
      }
      if (this.video.paused) {
        this.video.play().catch(() => {});
      }
      if (this.video.currentTime - buffered.start(0) > 30 && !this.buffer.updating) {
        this.buffer.remove(buffered.start(0), this.video.currentTime - 10);
      }
    }
  }

  append(bytes) {
    return new Promise((resolve, reject) => {
      const run = () => {
        const done = () => {
          this.buffer.removeEventListener('error', failed);
          resolve();
        };
        const failed = () => {
          this.buffer.removeEventListener('updateend', done);
          reject(new Error('the browser could not decode a segment'));
        };
        this.buffer.addEventListener('updateend', done, { once: true });
        this.buffer.addEventListener('error', failed, { once: true });
        this.buffer.appendBuffer(bytes);
      };
      if (this.buffer.updating) {
        this.buffer.addEventListener('updateend', run, { once: true });
      } else {
        run();
      }
    });
  }

  async text(url) {
    return (await this.fetch(url)).text();
  }

  async bytes(url) {
    return (await this.fetch(url)).arrayBuffer();
  }

  async fetch(url) {
    const response = await fetch(url, { cache: 'no-store' });
    if (!response.ok) {
      throw new Error(url + ': ' + response.status + ' ' + (await response.text()).trim());
    }
    return response;
  }

  stop() {
    this.stopped = true;
    this.video.removeAttribute('src');
    this.video.load();
  }
}

function startPreview(stream) {
  stopPreview();
  const edge = edgeFor(stream);
  // This node is reached the way the page was; another edge at the address it announces.
  const host = edge.node === thisNode ? location.hostname : edge.playHttp.host || location.hostname;
  const path = stream.name.split('/').map(encodeURIComponent).join('/');
  const base = (edge.playHttp.tls ? 'https://' : 'http://') + (host.includes(':') ? '[' + host + ']' : host)
    + ':' + edge.playHttp.port + '/' + path;
  $('preview').hidden = false;
  $('preview-name').textContent = stream.name + ' from ' + edge.node;
  const state = $('preview-state');
  state.textContent = 'starting…';
  const started = new Preview($('video'), base, (text) => { state.textContent = text; });
  preview = started;
  started.start().catch((e) => {
    if (started.stopped) {
      return; // what a stopped preview was doing when it stopped
    }
    failures.push(String(e.message || e));
    state.textContent = 'preview stopped: ' + (e.message || e);
  });
}

function stopPreview() {
  if (preview) {
    preview.stop();
    preview = null;
  }
  $('preview').hidden = true;
}

/** For tests and scripts: what the preview has decoded and played. */
window.previewReport = () => {
  const video = $('video');
  const quality = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : { totalVideoFrames: 0 };
  return { frames: quality.totalVideoFrames, time: video.currentTime, failures: failures.slice(),
    state: $('preview-state').textContent };
};

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value);
  $('login').hidden = true;
  refresh();
});
$('preview-stop').addEventListener('click', stopPreview);
refresh();
setInterval(refresh, REFRESH_MS);
