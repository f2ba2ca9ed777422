package org.rtmpcluster.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.AuthAction;
import org.rtmpcluster.common.config.ConfigException;
import org.rtmpcluster.common.config.TokenSettings;
import org.rtmpcluster.common.config.TokenSettings.SigningKey;

/** Signed play and publish tokens: what passes, what does not, and what a refusal gives away. */
class SignedTokensTest {
  private static final String OLD_SECRET = "old-secret-0123456789";
  private static final String NEW_SECRET = "new-secret-9876543210";
  private static final long NOW_S = 1_800_000_000L;

  private final AtomicLong nowMs = new AtomicLong(NOW_S * 1000);
  private final SignedTokens tokens = new SignedTokens(new TokenSettings(Set.of(AuthAction.PLAY),
      List.of(new SigningKey("k1", OLD_SECRET), new SigningKey("k2", NEW_SECRET)), 30_000), nowMs::get);

  private static String query(String kid, String secret, String app, String name, long expires) {
    return "expires=" + expires + "&kid=" + kid + "&token="
        + SignedTokens.sign(secret, AuthAction.PLAY, app, name, expires);
  }

  @Test
  void aTokenSignedForTheStreamPlaysUntilItExpires() {
    assertNull(tokens.refusal(AuthAction.PLAY, "live", "show", query("k2", NEW_SECRET, "live", "show", NOW_S + 60)));
    assertNull(tokens.refusal(AuthAction.PLAY, "live", "show",
        "other=1&" + query("k2", NEW_SECRET, "live", "show", NOW_S + 60) + "&more"), "other parameters are fine");
  }

  @Test
  void theSignatureMatchesAPlainHmacOfTheDocumentedText() {
    // openssl: printf 'play:live/show:1800000060' | openssl dgst -sha256 -hmac new-secret-9876543210
    assertEquals("play:live/show:1800000060", SignedTokens.signedText(AuthAction.PLAY, "live", "show", "1800000060"));
    assertEquals(64, SignedTokens.sign(NEW_SECRET, AuthAction.PLAY, "live", "show", NOW_S + 60).length());
  }

  @Test
  void bothKeysOfARotationAreTakenAndAnUnknownOneIsNot() {
    assertNull(tokens.refusal(AuthAction.PLAY, "live", "show", query("k1", OLD_SECRET, "live", "show", NOW_S + 60)));
    assertNull(tokens.refusal(AuthAction.PLAY, "live", "show", query("k2", NEW_SECRET, "live", "show", NOW_S + 60)));
    String unknown = tokens.refusal(AuthAction.PLAY, "live", "show", query("k3", NEW_SECRET, "live", "show", NOW_S + 60));
    assertEquals("the token's key id is not one this node knows", unknown);
  }

  @Test
  void aTokenSignedWithAnotherKeysSecretDoesNotMatch() {
    String refusal = tokens.refusal(AuthAction.PLAY, "live", "show", query("k2", OLD_SECRET, "live", "show", NOW_S + 60));
    assertEquals("the token does not match this stream", refusal);
  }

  @Test
  void aTokenForOneStreamOrAppOrActionOpensNoOther() {
    String forShow = query("k2", NEW_SECRET, "live", "show", NOW_S + 60);
    assertEquals("the token does not match this stream", tokens.refusal(AuthAction.PLAY, "live", "backstage", forShow));
    assertEquals("the token does not match this stream", tokens.refusal(AuthAction.PLAY, "vip", "show", forShow));
    assertEquals("the token does not match this stream", tokens.refusal(AuthAction.PUBLISH, "live", "show", forShow));
    String later = forShow.replace("expires=" + (NOW_S + 60), "expires=" + (NOW_S + 86_400));
    assertEquals("the token does not match this stream", tokens.refusal(AuthAction.PLAY, "live", "show", later),
        "a longer life is a different text");
  }

  @Test
  void anExpiredTokenIsRefusedAfterTheAllowedSkew() {
    String expiring = query("k2", NEW_SECRET, "live", "show", NOW_S);
    nowMs.set(NOW_S * 1000 + 29_000);
    assertNull(tokens.refusal(AuthAction.PLAY, "live", "show", expiring), "within the clock skew");
    nowMs.set(NOW_S * 1000 + 31_000);
    String refusal = tokens.refusal(AuthAction.PLAY, "live", "show", expiring);
    assertTrue(refusal.startsWith("the token expired at "), refusal);
  }

  @Test
  void missingOrMalformedPartsAreNamedWithoutGivingAnythingAway() {
    assertTrue(tokens.refusal(AuthAction.PLAY, "live", "show", "").contains("?expires=<unix seconds>&kid=<key id>"));
    assertTrue(tokens.refusal(AuthAction.PLAY, "live", "show", "expires=1&kid=k2").contains("needs a signed token"));
    assertEquals("the token's expires is not a time in Unix seconds",
        tokens.refusal(AuthAction.PLAY, "live", "show", "expires=soon&kid=k2&token=ab"));
    assertEquals("the token's expires is not a time in Unix seconds",
        tokens.refusal(AuthAction.PLAY, "live", "show", "expires=99999999999999999999&kid=k2&token=ab"));
    String tooLong = "expires=" + (NOW_S + 60) + "&kid=k2&token=" + "a".repeat(100_000);
    assertEquals("the token does not match this stream", tokens.refusal(AuthAction.PLAY, "live", "show", tooLong));
    for (String refusal : List.of(tokens.refusal(AuthAction.PLAY, "live", "show", tooLong),
        tokens.refusal(AuthAction.PLAY, "live", "show", query("k2", OLD_SECRET, "live", "show", NOW_S + 60)))) {
      assertTrue(!refusal.contains(NEW_SECRET) && !refusal.contains(OLD_SECRET), refusal);
    }
  }

  @Test
  void onlyTheActionsConfiguredNeedATokenAndNeverWithoutAKey() {
    assertTrue(tokens.required(AuthAction.PLAY));
    assertTrue(!tokens.required(AuthAction.PUBLISH));
    assertThrows(ConfigException.class, () -> new TokenSettings(Set.of(AuthAction.PLAY), List.of(), 0));
    assertThrows(ConfigException.class, () -> new SigningKey("k", "short"));
    assertTrue(!new SigningKey("k", NEW_SECRET).toString().contains(NEW_SECRET), "a key never prints its secret");
  }
}
