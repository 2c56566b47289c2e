package io.switchboard.load;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

/**
 * Common ground of the simulations: the target, the HTTP/WebSocket protocol, and the verdict. A verdict is a
 * condition over what {@link Stats} measured (no frame lost, p99 under the bound, ...); a last virtual user,
 * started after the workload has finished, checks each condition as a WebSocket check named after it, so a
 * condition that does not hold is a failed request in Gatling's report and fails the build through the
 * {@code failedRequests} assertion.
 */
public abstract class LoadSimulation extends Simulation {

  protected final Target target = new Target();
  protected final Duration timeout = Duration.ofSeconds(Params.integer("timeoutSeconds", 60));
  private final Map<String, BooleanSupplier> verdicts = new LinkedHashMap<>();

  protected HttpProtocolBuilder protocol(int unmatchedBuffer, Function<String, String> onText) {
    HttpProtocolBuilder p = http.wsUnmatchedInboundMessageBufferSize(unmatchedBuffer);
    return onText == null ? p : p.wsAutoReplyTextFrame(onText);
  }

  protected static long micros(Duration d) {
    return d.toNanos() / 1000;
  }

  /** A condition the run must meet; {@code name} is what the report calls the check. */
  protected void verdict(String name, BooleanSupplier condition) {
    verdicts.put(name, condition);
  }

  /** The verdict user's chain: connect once, then one echo round trip per condition, checked. */
  protected PopulationBuilder verdictUser() {
    List<ChainBuilder> steps = new ArrayList<>();
    steps.add(exec(ws("verdict connect").wsName("verdict")
      .connect(s -> target.connectUrl(s, 0, "verdict", "publisher"))
      .await(timeout).on(ws.checkTextMessage("verdict open").check(target.openChecks()))));
    verdicts.forEach((name, condition) -> steps.add(exec(ws("verdict").wsName("verdict")
      .sendText(target::echoRequest)
      .await(timeout).on(ws.checkTextMessage(name)
        .matching(jsonPath("$.type").is(target.echoReplyType()))
        .check(bodyString().transform(body -> condition.getAsBoolean()).is(true))))));
    steps.add(exec(ws("verdict close").wsName("verdict").close()));
    return scenario("verdict").exec(steps).injectOpen(atOnceUsers(1));
  }

  @Override
  public void before() {
    Stats.mark("start");
  }

  @Override
  public void after() {
    Stats.put("target", target.name());
    Stats.mark("end");
    Stats.write();
  }
}
