package org.rtmpcluster.common.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.cluster.StreamRegistry.Claim;
import org.rtmpcluster.common.cluster.StreamRegistry.Entry;
import org.rtmpcluster.common.cluster.StreamRegistry.StreamTakenException;
import org.rtmpcluster.common.testing.Await;

/**
 * Two nodes' views of one registry (a plain Vert.x's shared data behaves as the cluster map does),
 * each with a clock of its own that the test moves.
 */
class StreamRegistryTest {
  private static final long LEASE_MS = 6_000;

  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong activeClock = new AtomicLong(1_000_000);
  /** Issue 8, defect 5: the standby's clock is hours ahead of the active origin's. */
  private final AtomicLong standbyClock = new AtomicLong(1_000_000 + 5 * 3_600_000);
  private final StreamRegistry active = new StreamRegistry(vertx, LEASE_MS, activeClock::get);
  private final StreamRegistry standby = new StreamRegistry(vertx, LEASE_MS, standbyClock::get);

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  private static Entry request(String node, long epoch) {
    return new Entry("a", "id-" + node, node, "publisher-" + node, epoch, 0, null, null, 0);
  }

  private Throwable standbyClaimFails() {
    return Await.failure(standby.claim(request("standby", 2)));
  }

  @Test
  void aStandbyWhoseClockRunsAheadDoesNotTakeAStreamThatIsRenewed() {
    Claim claim = Await.result(active.claim(request("active", 1)));
    assertInstanceOf(StreamTakenException.class, standbyClaimFails());
    for (int i = 0; i < 10; i++) {
      // The active origin renews every third of the lease; the standby retries in between.
      activeClock.addAndGet(LEASE_MS / 3);
      assertTrue(Await.result(claim.renew(claim.entry())));
      standbyClock.addAndGet(LEASE_MS / 3);
      assertInstanceOf(StreamTakenException.class, standbyClaimFails(), "retry " + i);
      assertNotNull(Await.result(standby.get("a")), "the standby sees the stream live");
    }
  }

  @Test
  void aStandbyTakesOverOnceItHasSeenNoRenewalForALease() {
    Await.result(active.claim(request("active", 1)));
    assertInstanceOf(StreamTakenException.class, standbyClaimFails()); // first seen: renewed just now
    standbyClock.addAndGet(LEASE_MS);
    assertInstanceOf(StreamTakenException.class, standbyClaimFails(), "not more than a lease yet");
    standbyClock.addAndGet(1);
    Claim taken = Await.result(standby.claim(request("standby", 2)));
    assertEquals("standby", taken.entry().nodeName());
    assertEquals("standby", Await.result(active.get("a")).nodeName());
  }

  @Test
  void anEntryNotRenewedForALeaseIsAbsentToTheNodesThatSawIt() {
    Await.result(active.claim(request("active", 1)));
    assertNotNull(Await.result(standby.get("a")));
    standbyClock.addAndGet(LEASE_MS + 1);
    assertNull(Await.result(standby.get("a")));
    assertTrue(Await.result(standby.all()).isEmpty());
    assertEquals(1, Await.result(active.all()).size(), "the holder's own view: it wrote the entry, as renewed");
  }

  @Test
  void aReleasedNameCanBeClaimedAtOnce() {
    Claim claim = Await.result(active.claim(request("active", 1)));
    assertInstanceOf(StreamTakenException.class, standbyClaimFails());
    assertTrue(Await.result(claim.release()));
    assertEquals("standby", Await.result(standby.claim(request("standby", 2))).entry().nodeName());
  }

  /**
   * A renewal slower than the renewal period (a loaded cluster: seconds) must not make its holder
   * think it lost the claim. The map here answers writes 100 ms late, and the holder asks twice.
   */
  @Test
  void renewalsAskedForWhileOneIsOnItsWayDoNotLoseTheClaim() {
    AsyncMap<String, String> map = Await.result(vertx.sharedData().getAsyncMap(StreamRegistry.MAP_NAME));
    StreamRegistry slow = new StreamRegistry(() -> Future.succeededFuture(new SlowWrites(vertx, map)), LEASE_MS,
        activeClock::get);
    Claim claim = Await.result(slow.claim(request("active", 1)));
    boolean both = Await.on(vertx.getOrCreateContext(), () -> {
      Future<Boolean> a = claim.renew(claim.entry());
      Future<Boolean> b = claim.renew(claim.entry()); // asked for before the first is answered
      return Future.all(a, b).map(all -> a.result() && b.result());
    });
    assertTrue(both);
    assertTrue(Await.result(claim.renew(claim.entry())), "and it renews on");
  }

  /** A map whose compare-and-set answers 100 ms late, as a busy cluster's does. */
  private static final class SlowWrites implements AsyncMap<String, String> {
    private final Vertx vertx;
    private final AsyncMap<String, String> map;

    SlowWrites(Vertx vertx, AsyncMap<String, String> map) {
      this.vertx = vertx;
      this.map = map;
    }

    @Override
    public Future<Boolean> replaceIfPresent(String k, String oldValue, String newValue) {
      return map.replaceIfPresent(k, oldValue, newValue)
          .compose(result -> Future.future(p -> vertx.setTimer(100, id -> p.complete(result))));
    }

    @Override
    public Future<String> get(String k) {
      return map.get(k);
    }

    @Override
    public Future<Void> put(String k, String v) {
      return map.put(k, v);
    }

    @Override
    public Future<Void> put(String k, String v, long ttl) {
      return map.put(k, v, ttl);
    }

    @Override
    public Future<String> putIfAbsent(String k, String v) {
      return map.putIfAbsent(k, v);
    }

    @Override
    public Future<String> putIfAbsent(String k, String v, long ttl) {
      return map.putIfAbsent(k, v, ttl);
    }

    @Override
    public Future<String> remove(String k) {
      return map.remove(k);
    }

    @Override
    public Future<Boolean> removeIfPresent(String k, String v) {
      return map.removeIfPresent(k, v);
    }

    @Override
    public Future<String> replace(String k, String v) {
      return map.replace(k, v);
    }

    @Override
    public Future<Void> clear() {
      return map.clear();
    }

    @Override
    public Future<Integer> size() {
      return map.size();
    }

    @Override
    public Future<java.util.Set<String>> keys() {
      return map.keys();
    }

    @Override
    public Future<java.util.List<String>> values() {
      return map.values();
    }

    @Override
    public Future<java.util.Map<String, String>> entries() {
      return map.entries();
    }
  }

  @Test
  void aRenewalWhoseAnswerWasLostStillHoldsTheClaim() {
    Claim claim = Await.result(active.claim(request("active", 1)));
    // The map took a renewal, but its answer never reached the holder: the value moved on.
    Entry written = claim.entry();
    Entry newer = new Entry(written.stream(), written.nodeId(), written.nodeName(), written.publisherId(),
        written.epoch(), written.startedAtMs(), "avc1", null, written.renewals() + 1);
    AsyncMap<String, String> map = Await.result(vertx.sharedData().getAsyncMap(StreamRegistry.MAP_NAME));
    Await.result(map.put("a", newer.toJson().encode()));
    assertTrue(Await.result(claim.renew(claim.entry())));
    assertTrue(Await.result(claim.renew(claim.entry())), "renewing from the value it found");
  }

  @Test
  void aClaimTakenByAnotherPublisherIsLost() {
    Claim claim = Await.result(active.claim(request("active", 1)));
    AsyncMap<String, String> map = Await.result(vertx.sharedData().getAsyncMap(StreamRegistry.MAP_NAME));
    Await.result(map.put("a", request("standby", 2).toJson().encode()));
    assertEquals(false, Await.result(claim.renew(claim.entry())));
  }
}
