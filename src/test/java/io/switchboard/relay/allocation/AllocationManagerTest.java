package io.switchboard.relay.allocation;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("allocation manager: the transport is part of the five-tuple")
class AllocationManagerTest {

  private static final InetSocketAddress CLIENT = new InetSocketAddress("198.51.100.1", 5000);
  private static final InetSocketAddress SERVER = new InetSocketAddress("192.0.2.1", 3478);

  private static Allocation allocation(ClientTransport transport) {
    return new Allocation(new AllocationTest.TupleOnly(new FiveTuple(CLIENT, SERVER, transport)), "u", "u",
      new byte[12], Long.MAX_VALUE, new Bandwidth(0, 0));
  }

  @Test
  @DisplayName("a UDP, a TCP and a TLS client with one address and port hold three allocations")
  void transportsAreSeparate() {
    AllocationManager manager = new AllocationManager();
    Allocation udp = allocation(ClientTransport.UDP);
    Allocation tcp = allocation(ClientTransport.TCP);
    Allocation tls = allocation(ClientTransport.TLS);
    manager.add(udp);
    manager.add(tcp);
    manager.add(tls);
    assertEquals(3, manager.size());
    assertSame(udp, manager.get(CLIENT));
    assertSame(udp, manager.of(udp.client()));
    assertSame(tcp, manager.of(tcp.client()));
    assertSame(tls, manager.of(tls.client()));
    assertThrows(IllegalStateException.class, () -> manager.add(allocation(ClientTransport.TCP)));

    assertTrue(manager.remove(tcp));
    assertNull(manager.of(tcp.client()));
    assertSame(udp, manager.get(CLIENT), "deleting the TCP allocation leaves the UDP one");
    assertEquals(2, manager.all().size());
  }
}
