package io.switchboard.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A container image archive unpacked as a runtime would, without one: skopeo turns the archive into an OCI layout,
 * umoci unpacks its layers into a root file system, and the image's own configuration (entrypoint, user, working
 * directory, environment) is read from the OCI config blob. {@link #command} runs the entrypoint in that root with
 * {@code unshare} (own mount and PID namespaces, its own /proc) and {@code chroot}, as the image's user, on a
 * read-only root.
 * Needs root (mknod, chroot, namespaces).
 */
public final class OciImage implements AutoCloseable {

  /** The Debian packages behind the tools this class and the image build run. */
  public static final Map<String, String> TOOLS = Map.of("skopeo", "skopeo", "umoci", "umoci",
    "mmdebstrap", "mmdebstrap", "unshare", "util-linux", "chroot", "coreutils", "mknod", "coreutils");

  /** In the new mount namespace: ROOT read-only (its /proc stays), tmpfs on ROOT/tmp, then chroot as USER. */
  private static final String READ_ONLY_ROOT = "root=$1 user=$2 dir=$3; shift 3; "
    + "mount --rbind \"$root\" \"$root\" && mount -o remount,bind,ro \"$root\" "
    + "&& mount -t tmpfs -o size=256m,mode=1777 tmpfs \"$root/tmp\" "
    + "&& exec chroot --userspec=\"$user\" \"$root\" env --chdir=\"$dir\" \"$@\"";

  private final Path workDir;
  private final Path rootfs;
  private final JsonObject config;

  private OciImage(Path workDir, Path rootfs, JsonObject config) {
    this.workDir = workDir;
    this.rootfs = rootfs;
    this.config = config;
  }

  /** Fails (never skips) when a tool is missing. */
  public static void requireTools() {
    InstalledTools.require(TOOLS);
  }

  /** Unpacks {@code archive} (an OCI archive) into a new directory under {@code parent}. */
  public static OciImage unpack(Path archive, Path parent) throws Exception {
    Files.createDirectories(parent);
    Path work = Files.createTempDirectory(parent, "image-");
    Path layout = work.resolve("oci");
    Path bundle = work.resolve("bundle");
    run(List.of("skopeo", "copy", "-q", "oci-archive:" + archive, "oci:" + layout + ":image"), 120);
    run(List.of("umoci", "unpack", "--image", layout + ":image", bundle.toString()), 300);
    JsonObject index = readJson(layout.resolve("index.json"));
    JsonObject manifest = blob(layout, index.getJsonArray("manifests").getJsonObject(0).getString("digest"));
    JsonObject config = blob(layout, manifest.getJsonObject("config").getString("digest"));
    Path rootfs = bundle.resolve("rootfs");
    makeDevices(rootfs);
    return new OciImage(work, rootfs, config);
  }

  /** What a runtime gives every container: the few character devices the JVM opens. Not a bind mount of /dev. */
  private static void makeDevices(Path rootfs) throws Exception {
    Path dev = Files.createDirectories(rootfs.resolve("dev"));
    String[][] devices = {{"null", "3"}, {"zero", "5"}, {"random", "8"}, {"urandom", "9"}};
    for (String[] device : devices) {
      run(List.of("mknod", "-m", "666", dev.resolve(device[0]).toString(), "c", "1", device[1]), 10);
    }
  }

  private static JsonObject blob(Path layout, String digest) throws IOException {
    return readJson(layout.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length())));
  }

  private static JsonObject readJson(Path file) throws IOException {
    return new JsonObject(Files.readString(file));
  }

  private static void run(List<String> command, int timeoutSeconds) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(command + " did not finish in " + timeoutSeconds + " s");
    }
    if (process.exitValue() != 0) {
      fail(command + " exited with " + process.exitValue() + ": " + new String(output, StandardCharsets.UTF_8));
    }
  }

  /** The image configuration's {@code config} object (Entrypoint, Cmd, Env, User, WorkingDir, ExposedPorts). */
  public JsonObject config() {
    return config.getJsonObject("config");
  }

  public Path rootfs() {
    return rootfs;
  }

  public String user() {
    return config().getString("User", "");
  }

  /** The image's environment, in order. */
  public Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    for (Object entry : config().getJsonArray("Env", new JsonArray())) {
      String pair = (String) entry;
      int eq = pair.indexOf('=');
      env.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return env;
  }

  /** Entrypoint then Cmd: what a runtime runs when given no arguments. */
  public List<String> defaultCommand() {
    List<String> command = new ArrayList<>();
    config().getJsonArray("Entrypoint", new JsonArray()).forEach(arg -> command.add((String) arg));
    config().getJsonArray("Cmd", new JsonArray()).forEach(arg -> command.add((String) arg));
    return command;
  }

  /** "8080/tcp", "3478/udp", ... */
  public Set<String> exposedPorts() {
    return new TreeSet<>(config().getJsonObject("ExposedPorts", new JsonObject()).fieldNames());
  }

  /**
   * A process that runs {@code command} inside the image as its user, in its working directory, with the image's
   * environment and then {@code envOverrides} (nothing from this JVM's environment); PID 1 of its own PID namespace.
   * As deploy/kubernetes/ runs it: the root file system read-only, a fresh writable {@code /tmp}. The mounts exist
   * only in the process's own mount namespace (unshare makes it private); the network is the host's.
   */
  public ProcessBuilder command(List<String> command, Map<String, String> envOverrides) {
    List<String> full = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "--kill-child",
      "--mount-proc=" + rootfs.resolve("proc"), "sh", "-c", READ_ONLY_ROOT, "sh", rootfs.toString(), user(),
      config().getString("WorkingDir", "/")));
    full.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(full);
    builder.environment().clear();
    builder.environment().putAll(env());
    builder.environment().putAll(envOverrides);
    return builder;
  }

  /**
   * Stops a process of {@link #command}: SIGTERM to what runs inside (the entrypoint is PID 1 of its namespace, and
   * when it ends the kernel ends the rest), SIGKILL after {@code graceSeconds}. {@code unshare --kill-child} alone
   * is not enough: the signal it arranges is dropped when chroot switches to the image's user.
   *
   * @return whether everything ended on SIGTERM
   */
  public static boolean stop(Process process, int graceSeconds) throws InterruptedException {
    List<ProcessHandle> inside = process.descendants().toList();
    inside.forEach(ProcessHandle::destroy);
    boolean graceful = process.waitFor(graceSeconds, TimeUnit.SECONDS);
    if (!graceful) {
      inside.forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    return graceful && inside.stream().noneMatch(ProcessHandle::isAlive);
  }

  /** Deletes the unpacked image; refuses while anything is mounted inside it (as this JVM sees mounts). */
  @Override
  public void close() throws IOException {
    String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
    if (mounts.contains(" " + workDir.toRealPath() + "/")) {
      throw new IllegalStateException("something is still mounted under " + workDir + ": not deleting it");
    }
    Files.walkFileTree(workDir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
