/** rtmp-cluster origin. */
package org.rtmpcluster.origin;
