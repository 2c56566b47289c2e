package io.switchboard.load;

/**
 * SteadyRelay across a cluster: partners on different nodes ({@code -Dspread=cross}, the default with several
 * nodes), or pairs spread over the nodes with each pair on one node ({@code -Dspread=colocated}). Needs at least
 * two {@code -Dnodes} (run.sh starts them with cluster/start-local.sh).
 */
public class ClusterSteadyRelay extends SteadyRelay {

  {
    if (target.nodes.size() < 2) {
      throw new IllegalArgumentException("ClusterSteadyRelay needs at least two -Dnodes");
    }
  }

  @Override
  protected String scenarioName() {
    return "ClusterSteadyRelay";
  }
}
