package io.switchboard.load;

/**
 * CallSetup across a cluster: the caller and callee of each pair sit on different nodes ({@code -Dspread=cross},
 * the default with several nodes), so every frame crosses the clustered event bus. Needs at least two
 * {@code -Dnodes} of one cluster (run.sh starts them with cluster/start-local.sh).
 */
public class ClusterCallSetup extends CallSetup {

  {
    if (target.nodes.size() < 2) {
      throw new IllegalArgumentException("ClusterCallSetup needs at least two -Dnodes");
    }
  }

  @Override
  protected String scenarioName() {
    return "ClusterCallSetup";
  }
}
