/** RTMP protocol, AMF, the media model and live streams shared by origin and edge. */
package org.rtmpcluster.common;
