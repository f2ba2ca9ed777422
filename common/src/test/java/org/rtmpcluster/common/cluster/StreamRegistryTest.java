package org.rtmpcluster.common.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
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
}
