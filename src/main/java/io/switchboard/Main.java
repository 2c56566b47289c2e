package io.switchboard;

import io.switchboard.config.ConfigException;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Command line:
 * <pre>
 *   java -jar switchboard.jar [--conf FILE] [--cluster]   start a node; --cluster joins a Hazelcast cluster
 *   java -jar switchboard.jar token --identity ID --room ROOM [--role publisher|viewer] [--name NAME]
 *                                   [--ttl SECONDS] [--admin] [--secret SECRET] [--conf FILE]
 * </pre>
 * The token command signs with {@code --secret}, else with the first HS256 secret of the configuration
 * (file and environment, as for a node).
 */
public final class Main {

  static {
    // before the first logger exists: JUL reads this once, when it starts
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
    }
  }

  private static final System.Logger LOG = System.getLogger(Main.class.getName());

  private Main() {
  }

  public static void main(String[] args) {
    configureLogging();
    try {
      List<String> rest = new ArrayList<>(List.of(args));
      boolean token = !rest.isEmpty() && rest.get(0).equals("token");
      if (token) {
        rest.remove(0);
      }
      Map<String, String> options = parseOptions(rest);
      JsonObject json = ConfigLoader.load(options.containsKey("conf") ? Path.of(options.get("conf")) : null, System.getenv());
      if (token) {
        System.out.println(TokenCommand.mint(json, options));
      } else {
        SwitchboardConfig config = SwitchboardConfig.from(json);
        run(options.containsKey("cluster") ? config.withClusterEnabled() : config);
      }
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("switchboard: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void run(SwitchboardConfig config) {
    startupWarnings(config).forEach(warning -> LOG.log(System.Logger.Level.WARNING, warning));
    long started = System.nanoTime();
    Node.start(config).onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(System.Logger.Level.ERROR, "node failed to start: " + ar.cause().getMessage(), ar.cause());
        System.exit(1);
      }
      Node node = ar.result();
      LOG.log(System.Logger.Level.INFO, "started in {0} ms", (System.nanoTime() - started) / 1_000_000);
      node.logReady();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> drain(node), "switchboard-shutdown"));
    });
  }

  /** What an operator must hear about this configuration before the node serves anyone. */
  static List<String> startupWarnings(SwitchboardConfig config) {
    List<String> warnings = new ArrayList<>();
    if (config.auth().devTokens()) {
      warnings.add("development tokens are ON: anyone who reaches POST /api/dev/token can join any room. "
        + "Turn auth.devTokens off in production (see conf/production.example.json).");
    }
    if (config.auth().generatedSecret()) {
      warnings.add("no HS256 secret configured: generated a random one for this run; "
        + "tokens from an earlier run are not accepted.");
    }
    if (config.ice().generatedSecret()) {
      warnings.add("no TURN secret configured: generated a random one for this run; "
        + "an external TURN server will not accept the credentials handed out.");
    }
    if (config.relay().enabled() && !config.relay().allowedPeers().isEmpty()) {
      warnings.add("relay.allowedPeers " + config.relay().allowedPeers() + " lets the TURN relay reach addresses "
        + "its default policy refuses (loopback, private, link-local...): make sure that is intended.");
    }
    return warnings;
  }

  /** Runs on the JVM's shutdown-hook thread, never on an event loop, so waiting here is fine. */
  private static void drain(Node node) {
    CountDownLatch closed = new CountDownLatch(1);
    node.close().onComplete(ar -> closed.countDown());
    try {
      if (!closed.await(10, TimeUnit.SECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "shutdown did not finish within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code --key value} pairs; {@code --admin} and {@code --cluster} are flags. */
  private static Map<String, String> parseOptions(List<String> args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + arg + " (usage: [token] [--conf FILE] ...)");
      }
      String key = arg.substring(2);
      if (key.equals("admin") || key.equals("cluster")) {
        options.put(key, "true");
      } else if (i + 1 < args.size()) {
        options.put(key, args.get(++i));
      } else {
        throw new IllegalArgumentException(arg + " needs a value");
      }
    }
    return options;
  }

  /** Unless the operator configured JUL (java.util.logging.config.file), console lines use {@link LogFormat}. */
  private static void configureLogging() {
    if (System.getProperty("java.util.logging.config.file") == null) {
      for (java.util.logging.Handler handler : java.util.logging.Logger.getLogger("").getHandlers()) {
        handler.setFormatter(new LogFormat());
      }
    }
  }
}
