package org.rtmpcluster.origin.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What a download's response says of the file, apart from its bytes (ReplayTest sends them). */
class RecordingDownloadsTest {

  @Test
  void aDownloadsNameIsPlainAsciiAndExactInUtf8() {
    assertEquals("attachment; filename=\"show-1.flv\"; filename*=UTF-8''show-1.flv",
        RecordingDownloads.contentDisposition("show-1.flv"));
    assertEquals("attachment; filename=\"a_b__c.flv\"; filename*=UTF-8''a%22b%C3%A9c.flv",
        RecordingDownloads.contentDisposition("a\"b\u00e9c.flv"));
  }
}
