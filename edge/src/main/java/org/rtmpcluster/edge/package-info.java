/** rtmp-cluster edge. */
package org.rtmpcluster.edge;
