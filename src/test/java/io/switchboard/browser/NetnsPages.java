package io.switchboard.browser;

import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.switchboard.testing.netns.NetnsNode;
import io.switchboard.testing.netns.NetnsRig;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Demo pages in Chromium browsers that run inside the client hosts of a {@link NetnsRig}: each browser is a separate
 * machine behind its own network. Closes every browser it started.
 */
final class NetnsPages implements AutoCloseable {

  private final NetnsRig rig;
  private final List<Chromium> browsers = new ArrayList<>();

  NetnsPages(NetnsRig rig) {
    this.rig = rig;
  }

  /**
   * A browser in home {@code home}'s client host. Pages come from plain-HTTP origins on the rig's addresses, which a
   * browser does not count as secure (no camera without a secure context): {@code origins} are declared secure.
   */
  Chromium open(String home, String url, List<String> origins) {
    return open(home, url, origins, List.of());
  }

  /** As {@link #open(String, String, List)}, with more Chromium flags. */
  Chromium open(String home, String url, List<String> origins, List<String> flags) {
    List<String> all = new ArrayList<>(List.of(
      "--unsafely-treat-insecure-origin-as-secure=" + String.join(",", origins),
      // host names still resolve to nothing; the rig's addresses are literals, which these rules also cover
      "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 198.18.* , EXCLUDE 198.19.*"));
    all.addAll(flags);
    Chromium browser = Chromium.startIn(home, rig.clientNamespace(home), all);
    browsers.add(browser);
    browser.driver().get(url);
    return browser;
  }

  /**
   * The demo page of {@code home} node joining {@code room} at once as identity {@code name-<suffix>}, with a token
   * in the fragment (a node off loopback has no development tokens), and, if {@code nodes} has more than the home
   * node, the SDK's node list.
   */
  static String pageUrl(NetnsNode home, String room, String name, List<NetnsNode> nodes) {
    return pageUrl(home.httpUrl(), room, name, nodes);
  }

  /** As {@link #pageUrl(NetnsNode, String, String, List)}, the page coming from {@code origin} (scheme://host:port). */
  static String pageUrl(String origin, String room, String name, List<NetnsNode> nodes) {
    String token = TestTokens.participant(TestNode.unique(name), room, null);
    String url = origin + "/?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&autojoin=1#token="
      + token;
    if (nodes.size() > 1) {
      url += "&nodes=" + nodes.stream().map(NetnsNode::wsUrl).collect(Collectors.joining(","));
    }
    return url;
  }

  @Override
  public void close() throws Exception {
    List<Chromium> open = new ArrayList<>(browsers);
    browsers.clear();
    BrowserResources.closeAll(open);
  }
}
