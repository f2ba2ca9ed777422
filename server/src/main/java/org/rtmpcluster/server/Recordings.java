package org.rtmpcluster.server;

import io.vertx.core.Vertx;
import java.util.IdentityHashMap;
import java.util.Map;
import org.rtmpcluster.common.config.RecordSettings;
import org.rtmpcluster.common.memory.ByteBudget;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.origin.cluster.ClusterRelay;
import org.rtmpcluster.origin.record.RecordingCounters;
import org.rtmpcluster.origin.record.StreamRecorder;

/**
 * The origin's recorders (config {@code record}): one per recorded stream, attached when the
 * stream is first published here. In a cluster a recorder writes only while this origin's relay
 * holds the stream's claim, so a hot standby never records, and records from the moment it takes over.
 * A finished file is told to the webhook ({@code auth.webhook}) as {@code on_dvr} or {@code record_done}.
 */
final class Recordings {
  private final Vertx vertx;
  private final RecordSettings settings;
  private final AuthClients hooks;
  private final Map<HomeStream, StreamRecorder> recorders = new IdentityHashMap<>();
  private final RecordingCounters counters = new RecordingCounters();
  private final ByteBudget queued;

  Recordings(Vertx vertx, RecordSettings settings, AuthClients hooks) {
    this.vertx = vertx;
    this.settings = settings;
    this.hooks = hooks;
    this.queued = new ByteBudget("recording queue", settings.maxNodeQueuedBytes());
  }

  RecordingCounters counters() {
    return counters;
  }

  /** Heap the node's recordings hold for the disk (record.max-node-queued-bytes). */
  ByteBudget queued() {
    return queued;
  }

  /** On the home loop, when {@code stream} is published on this origin. */
  void onPublish(HomeStream stream) {
    if (!settings.records(stream.name()) || recorders.containsKey(stream)) {
      return;
    }
    StreamRecorder recorder = new StreamRecorder(vertx, stream, settings,
        () -> !(stream.publishObserver() instanceof ClusterRelay relay) || relay.state() == ClusterRelay.State.ACTIVE,
        System::currentTimeMillis, counters, queued, recorded -> hooks.recordDone(recorded.stream(), recorded.path().toString(), recorded.durationMs(),
            recorded.bytes()),
        () -> recorders.remove(stream));
    recorders.put(stream, recorder);
    stream.addListener(recorder);
  }
}
