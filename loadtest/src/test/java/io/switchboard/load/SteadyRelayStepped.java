package io.switchboard.load;

/**
 * SteadyRelay at increasing rates, one step after the other on the same sessions: finds the highest rate whose
 * p99 stays under the bound (printed as {@code best.rate}, the rate actually received). A step over the bound
 * only stops counting towards the best rate; the run fails on a frame lost, reordered or misdelivered in any
 * step, and when the best rate is below {@code -DminRate}.
 *
 * <p>{@code -Dpairs=100 -Drates=1000,2000,4000,8000,12000,16000 -DstepSeconds=10 -DboundMs=20 -DminRate=0}
 */
public class SteadyRelayStepped extends SteadyRelay {

  @Override
  protected String defaultRates() {
    return "1000,2000,4000,8000,12000,16000";
  }

  @Override
  protected String scenarioName() {
    return "SteadyRelayStepped";
  }

  @Override
  protected void addVerdicts() {
    double minRate = Params.decimal("minRate", 0);
    lossAndOrderVerdicts();
    addresseeVerdicts();
    verdict("verdict: best rate with p99 under " + boundMs + " ms at least " + minRate + "/s", () -> {
      double best = 0;
      for (int k = 0; k < rates.size(); k++) {
        if (passes(k)) {
          best = Math.max(best, received(k) / (double) stepSeconds);
        }
      }
      return best > 0 && best >= minRate;
    });
  }
}
