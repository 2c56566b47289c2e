package io.switchboard;

import io.switchboard.config.ConfigException;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.signaling.session.Ids;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Command line:
 * <pre>
 *   java -jar switchboard.jar                             the demo: development mode on the built-in default
 *   java -jar switchboard.jar [--conf FILE] [--cluster] [--dev]
 *                                                         start a node; --cluster joins a Hazelcast cluster,
 *                                                         --dev turns development tokens on
 *   java -jar switchboard.jar token --identity ID --room ROOM [--role publisher|viewer] [--name NAME]
 *                                   [--ttl SECONDS] [--admin] [--secret SECRET] [--conf FILE]
 * </pre>
 * The token command signs with {@code --secret}, else with the first HS256 secret of the configuration
 * (file and environment, as for a node).
 *
 * <p>Development mode (tokens for anyone from {@code POST /api/dev/token}) is never a default: it takes
 * {@code --dev}, {@code auth.devTokens: true} in the file or environment, or the bare demo command, with no
 * argument and no {@code SWITCHBOARD_*} variable at all.
 */
public final class Main {

  /** What a shutdown may take besides the grace period: closing sockets, the last presence changes, Vert.x. */
  private static final long DRAIN_SECONDS = 10;
  /** How long a SIGTERM during start-up waits for the start to finish before the process ends undrained. */
  private static final long START_WAIT_SECONDS = 60;

  static {
    // before the first logger exists: JUL reads this once, when it starts
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
    }
  }

  private static final System.Logger LOG = System.getLogger(Main.class.getName());
  static final String INSECURE_CLUSTER_WARNING = "cluster.insecure is true: members exchange frames and presence "
    + "over the event bus without TLS or authentication; anything that reaches the member and event-bus ports can "
    + "read and inject them. Never run it like this across machines.";

  private Main() {
  }

  // the command line's own output (a minted token, a refused configuration) and exit status
  @SuppressWarnings({"checkstyle:forbiddenOutput", "checkstyle:forbiddenExit"})
  public static void main(String[] args) {
    configureLogging();
    try {
      List<String> rest = new ArrayList<>(List.of(args));
      boolean token = !rest.isEmpty() && rest.get(0).equals("token");
      if (token) {
        rest.remove(0);
      }
      Map<String, String> options = parseOptions(rest);
      Path conf = options.containsKey("conf") ? Path.of(options.get("conf")) : null;
      JsonObject json = ConfigLoader.load(conf, System.getenv());
      if (token) {
        System.out.println(TokenCommand.mint(json, options));
        flushLogs();
      } else {
        run(nodeConfig(json, options, isBareDemo(args, System.getenv())));
      }
    } catch (ConfigException | IllegalArgumentException e) {
      flushLogs();
      System.err.println("switchboard: " + e.getMessage());
      System.exit(2);
    }
  }

  /** The node's configuration: the merged JSON, development mode when asked for, clustering with --cluster. */
  static SwitchboardConfig nodeConfig(JsonObject json, Map<String, String> options, boolean bareDemo) {
    if (options.containsKey("dev") || bareDemo) {
      json.getJsonObject("auth").put("devTokens", true);
    }
    SwitchboardConfig config = SwitchboardConfig.from(json);
    return options.containsKey("cluster") ? config.withClusterEnabled() : config;
  }

  /**
   * README's first command, {@code java -jar switchboard.jar}: nothing configured at all, so it can only be
   * someone trying the demo on their own machine. Any argument or {@code SWITCHBOARD_*} variable means an
   * operator is configuring the node, and development mode then needs asking for.
   */
  static boolean isBareDemo(String[] args, Map<String, String> env) {
    return args.length == 0 && env.keySet().stream().noneMatch(name -> name.startsWith(ConfigLoader.ENV_PREFIX));
  }

  // a node that cannot start ends the process with status 1, for its supervisor
  @SuppressWarnings("checkstyle:forbiddenExit")
  private static void run(SwitchboardConfig configured) {
    // the id is chosen here, not by the node, so that every JSON log line can carry it from the first one on
    SwitchboardConfig config = configured.node().id().isEmpty() ? configured.withNodeId(Ids.random(9)) : configured;
    if (config.log().format() == SwitchboardConfig.Log.Format.JSON) {
      useFormat(new JsonLogFormat(config.node().id()));
    }
    startupWarnings(config).forEach(warning -> LOG.log(System.Logger.Level.WARNING, warning));
    long started = System.nanoTime();
    // a draining node waits up to the grace period for its clients to resume elsewhere, gives pending webhooks
    // their time, then finishes leaving
    long drainSeconds = config.rooms().gracePeriodSeconds() + DRAIN_SECONDS
      + (config.webhooks().enabled() ? config.webhooks().drainSeconds() : 0);
    // The hook is in place before the node can answer /health with 200: a SIGTERM as soon as it is healthy (or
    // while it starts) still drains it, once the start has finished.
    Promise<Node> starting = Promise.promise();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> drainOnceStarted(starting.future(), drainSeconds),
      "switchboard-shutdown"));
    Node.start(config).onComplete(starting);
    starting.future().onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(System.Logger.Level.ERROR, "node failed to start: " + ar.cause().getMessage(), ar.cause());
        System.exit(1);
      }
      LOG.log(System.Logger.Level.INFO, "started in {0} ms", (System.nanoTime() - started) / 1_000_000);
      ar.result().logReady();
    });
  }

  /**
   * Drains the node once its start has finished; nothing to do when it failed to start. Runs on the shutdown hook's
   * own thread, never an event loop, so it may wait.
   */
  private static void drainOnceStarted(Future<Node> starting, long seconds) {
    try {
      Node node = starting.toCompletionStage().toCompletableFuture().get(START_WAIT_SECONDS, TimeUnit.SECONDS);
      drain(node, seconds);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException failedToStart) {
      // already logged; nothing to drain
    } catch (TimeoutException stillStarting) {
      LOG.log(System.Logger.Level.WARNING, "the node did not finish starting within {0} s of the stop: not drained",
        START_WAIT_SECONDS);
    } finally {
      flushLogs();
    }
  }

  /** What an operator must hear about this configuration before the node serves anyone. */
  static List<String> startupWarnings(SwitchboardConfig config) {
    List<String> warnings = new ArrayList<>();
    if (config.auth().devTokens()) {
      warnings.add("development tokens are ON (the bare demo command, --dev or auth.devTokens): anyone who "
        + "reaches POST /api/dev/token can join any room. Never serve this node to others; production starts "
        + "from conf/production.example.json.");
    }
    if (config.auth().generatedSecret()) {
      warnings.add("no HS256 secret configured: generated a random one for this run; "
        + "tokens from an earlier run are not accepted.");
    }
    if (config.ice().generatedSecret()) {
      warnings.add("no TURN secret configured: generated a random one for this run; "
        + "an external TURN server will not accept the credentials handed out.");
    }
    if (config.cluster().enabled() && config.cluster().insecure()) {
      warnings.add(INSECURE_CLUSTER_WARNING);
    }
    if (config.relay().enabled() && !config.relay().allowedPeers().isEmpty()) {
      warnings.add("relay.allowedPeers " + config.relay().allowedPeers() + " lets the TURN relay reach addresses "
        + "its default policy refuses (loopback, private, link-local...): make sure that is intended.");
    }
    return warnings;
  }

  /** Runs on the JVM's shutdown-hook thread, never on an event loop, so waiting here is fine. */
  private static void drain(Node node, long seconds) {
    CountDownLatch closed = new CountDownLatch(1);
    node.close().onComplete(ar -> closed.countDown());
    try {
      if (!closed.await(seconds, TimeUnit.SECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "shutdown did not finish within {0} s", seconds);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code --key value} pairs; {@code --admin}, {@code --cluster} and {@code --dev} are flags. */
  private static Map<String, String> parseOptions(List<String> args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + arg
          + " (usage: [token] [--conf FILE] [--cluster] [--dev] ...)");
      }
      String key = arg.substring(2);
      if (key.equals("admin") || key.equals("cluster") || key.equals("dev")) {
        options.put(key, "true");
      } else if (i + 1 < args.size()) {
        options.put(key, args.get(++i));
      } else {
        throw new IllegalArgumentException(arg + " needs a value");
      }
    }
    return options;
  }

  /**
   * Unless the operator configured JUL (java.util.logging.config.file), console lines go through an
   * {@link AsyncLogHandler} (no event loop writes to the console) in {@link LogFormat}; once the configuration is
   * read, {@code log.format: json} switches them to {@link JsonLogFormat}.
   */
  private static void configureLogging() {
    if (System.getProperty("java.util.logging.config.file") == null) {
      java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
      for (java.util.logging.Handler handler : root.getHandlers()) {
        if (handler instanceof java.util.logging.ConsoleHandler) {
          root.removeHandler(handler);
        }
      }
      root.addHandler(new AsyncLogHandler(System.err));
    }
    useFormat(new LogFormat());
  }

  /** Writes out what the console handlers still hold: the last lines of a drain, or why the node did not start. */
  private static void flushLogs() {
    for (java.util.logging.Handler handler : java.util.logging.Logger.getLogger("").getHandlers()) {
      handler.flush();
    }
  }

  private static void useFormat(java.util.logging.Formatter format) {
    if (System.getProperty("java.util.logging.config.file") == null) {
      for (java.util.logging.Handler handler : java.util.logging.Logger.getLogger("").getHandlers()) {
        handler.setFormatter(format);
      }
    }
  }
}
