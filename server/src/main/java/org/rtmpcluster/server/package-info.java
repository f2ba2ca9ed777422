/** rtmp-cluster server. */
package org.rtmpcluster.server;
