package org.rtmpcluster.server;

public final class Main {
  public static void main(String[] args) {
  }
}
