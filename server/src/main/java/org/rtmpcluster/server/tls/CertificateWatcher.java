package org.rtmpcluster.server.tls;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileProps;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.rtmpcluster.common.config.RtmpsSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTMPS certificate and key files: read once at start, then looked at every {@code
 * rtmps.reload-check-ms}. When either file changed, the pair is read again, checked ({@link
 * ServerCertificate}) and handed to the listeners; connections already open keep the certificate
 * they were made with. A pair that does not load or does not match is logged, and the one in use
 * stays. Files are read and parsed off the event loop. Runs on one event loop.
 */
public final class CertificateWatcher {
  private static final Logger log = LoggerFactory.getLogger(CertificateWatcher.class);
  /** A PEM chain is a few kilobytes; a file far larger is not one. */
  private static final long MAX_FILE_BYTES = 1 << 20;
  /** Warned at start and on each load: a certificate this close to its end is about to break clients. */
  private static final Duration EXPIRY_WARNING = Duration.ofDays(14);

  private record Stamp(long modifiedMs, long size) {
  }

  private final Vertx vertx;
  private final RtmpsSettings settings;
  private final Function<ServerCertificate, Future<?>> install;
  private Stamp certSeen;
  private Stamp keySeen;
  private ServerCertificate current;
  private long timer = -1;
  private boolean checking;
  private long reloads;
  private long failedReloads;

  /**
   * @param install puts a new certificate to use on every listener; a failure leaves the old one
   */
  public CertificateWatcher(Vertx vertx, RtmpsSettings settings, Function<ServerCertificate, Future<?>> install) {
    this.vertx = vertx;
    this.settings = settings;
    this.install = install;
  }

  /** Reads the pair the node starts with; fails, naming the file and what is wrong, if it can't. */
  public Future<ServerCertificate> load() {
    return stamps().compose(stamps -> read().map(certificate -> {
      certSeen = stamps.get(0);
      keySeen = stamps.get(1);
      current = certificate;
      log.info("rtmps: certificate {} from {}", certificate.describe(), settings.certPath());
      warnIfExpiring(certificate);
      return certificate;
    }));
  }

  /** Starts looking for changes. */
  public void start() {
    timer = vertx.setPeriodic(settings.reloadCheckMs(), id -> check());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** The pair in use. */
  public ServerCertificate current() {
    return current;
  }

  /** Changed pairs put to use since the start. */
  public long reloads() {
    return reloads;
  }

  /** Changed pairs that could not be used (the one in use stayed). */
  public long failedReloads() {
    return failedReloads;
  }

  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    stamps().compose(stamps -> {
      if (stamps.get(0).equals(certSeen) && stamps.get(1).equals(keySeen)) {
        return Future.<ServerCertificate>succeededFuture();
      }
      // Seen even if it fails to load: the same files are not retried, a further change is.
      certSeen = stamps.get(0);
      keySeen = stamps.get(1);
      return read().compose(certificate -> install.apply(certificate).map(installed -> certificate));
    }).onComplete(ar -> {
      checking = false;
      if (ar.failed()) {
        failedReloads++;
        log.warn("rtmps: the certificate files changed but cannot be used, keeping {}: {}",
            current == null ? "the one in use" : current.describe(), ar.cause().getMessage());
      } else if (ar.result() != null) {
        current = ar.result();
        reloads++;
        log.info("rtmps: loaded new certificate {} from {}", current.describe(), settings.certPath());
        warnIfExpiring(current);
      }
    });
  }

  private Future<List<Stamp>> stamps() {
    return Future.all(stamp("rtmps.cert", settings.certPath()), stamp("rtmps.key", settings.keyPath()))
        .map(all -> List.of(all.resultAt(0), all.resultAt(1)));
  }

  private Future<Stamp> stamp(String key, String path) {
    return vertx.fileSystem().props(path)
        .recover(e -> Future.failedFuture(new ServerCertificate.InvalidCertificateException(
            key + " " + path + " cannot be read: " + e.getMessage())))
        .compose((FileProps props) -> props.size() > MAX_FILE_BYTES
            ? Future.failedFuture(new ServerCertificate.InvalidCertificateException(
                key + " " + path + " is " + props.size() + " bytes; a PEM file is a few kilobytes"))
            : Future.succeededFuture(new Stamp(props.lastModifiedTime(), props.size())));
  }

  private Future<ServerCertificate> read() {
    Future<Buffer> cert = vertx.fileSystem().readFile(settings.certPath());
    Future<Buffer> key = vertx.fileSystem().readFile(settings.keyPath());
    return Future.all(cert, key).compose(both -> vertx.executeBlocking(() -> {
      try {
        return ServerCertificate.of(vertx, cert.result(), key.result());
      } catch (ServerCertificate.InvalidCertificateException e) {
        throw new ServerCertificate.InvalidCertificateException(settings.certPath() + " and "
            + settings.keyPath() + ": " + e.getMessage());
      }
    }, false));
  }

  private static void warnIfExpiring(ServerCertificate certificate) {
    Instant now = Instant.now();
    if (certificate.notAfter().isBefore(now)) {
      log.warn("rtmps: the certificate expired at {}: clients that check it will refuse to connect",
          certificate.notAfter());
    } else if (certificate.notAfter().isBefore(now.plus(EXPIRY_WARNING))) {
      log.warn("rtmps: the certificate expires at {}", certificate.notAfter());
    }
  }
}
