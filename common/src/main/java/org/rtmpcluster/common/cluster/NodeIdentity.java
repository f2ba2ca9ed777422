package org.rtmpcluster.common.cluster;

/**
 * Who a node is in the cluster: the cluster manager's node id (what membership events carry) and
 * the operator's name for it.
 */
public record NodeIdentity(String nodeId, String nodeName) {
}
