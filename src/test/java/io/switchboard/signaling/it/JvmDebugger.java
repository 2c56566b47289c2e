package io.switchboard.signaling.it;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.ClassType;
import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.Method;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StringReference;
import com.sun.jdi.VMDisconnectedException;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.connect.IllegalConnectorArgumentsException;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.LocatableEvent;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.ClassPrepareRequest;
import com.sun.jdi.request.EventRequest;
import com.sun.jdi.request.EventRequestManager;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A debugger attached over JDWP to a node process started with {@link #agentOption}: the way to hold a real node
 * at one exact point of its start or its shutdown, with only the thread that got there stopped, and look at the
 * node from outside meanwhile. No production code knows about it.
 */
final class JvmDebugger implements AutoCloseable {

  /** A thread stopped at a breakpoint or after a step; the rest of the JVM runs on. */
  final class Stop {
    private final LocatableEvent event;
    private final EventSet events;

    private Stop(LocatableEvent event, EventSet events) {
      this.event = event;
      this.events = events;
    }

    String method() {
      return event.location().method().name();
    }

    String threadName() {
      return event.thread().name();
    }

    /** The name of the enum constant passed as argument {@code index} of the stopped method. */
    String enumArgument(int index) {
      try {
        ObjectReference constant = (ObjectReference) event.thread().frame(0).getArgumentValues().get(index);
        ClassType enumClass = (ClassType) vm.classesByName("java.lang.Enum").get(0);
        return ((StringReference) constant.getValue(enumClass.fieldByName("name"))).value();
      } catch (IncompatibleThreadStateException e) {
        throw new AssertionError("thread " + threadName() + " is not stopped", e);
      }
    }

    void resume() {
      events.resume();
    }
  }

  private final VirtualMachine vm;
  private final EventRequestManager requests;
  /** Breakpoints waiting for their class to load: class name to method name. */
  private final Map<String, String> pending = new HashMap<>();

  private JvmDebugger(VirtualMachine vm) {
    this.vm = vm;
    this.requests = vm.eventRequestManager();
  }

  /** The JVM option that makes a JVM wait, suspended, for this debugger on {@code port} of loopback. */
  static String agentOption(int port) {
    return "-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=127.0.0.1:" + port;
  }

  /** Attaches to the JVM listening on {@code port}, trying until it listens or {@code timeout} passes. */
  static JvmDebugger attach(int port, Duration timeout) throws InterruptedException {
    AttachingConnector connector = Bootstrap.virtualMachineManager().attachingConnectors().stream()
      .filter(c -> c.name().equals("com.sun.jdi.SocketAttach")).findFirst()
      .orElseThrow(() -> new AssertionError("this JDK has no socket-attaching JDI connector"));
    Map<String, Connector.Argument> arguments = connector.defaultArguments();
    arguments.get("hostname").setValue("127.0.0.1");
    arguments.get("port").setValue(Integer.toString(port));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return new JvmDebugger(connector.attach(arguments));
      } catch (IOException notListeningYet) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no JVM to debug on port " + port + " within " + timeout, notListeningYet);
        }
        Thread.sleep(200);
      } catch (IllegalConnectorArgumentsException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** Stops any thread that enters {@code className.method}, from the moment the class is loaded. */
  void breakOnEntry(String className, String method) {
    pending.put(className, method);
    if (vm.classesByName(className).isEmpty()) {
      ClassPrepareRequest prepare = requests.createClassPrepareRequest();
      prepare.addClassFilter(className);
      prepare.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD); // so nothing runs before the breakpoint is set
      prepare.enable();
    } else {
      install(vm.classesByName(className).get(0));
    }
  }

  private void install(ReferenceType type) {
    String method = pending.remove(type.name());
    if (method == null) {
      return;
    }
    for (Method candidate : type.methodsByName(method)) {
      if (!candidate.isAbstract() && !candidate.isBridge()) {
        BreakpointRequest breakpoint = requests.createBreakpointRequest(candidate.location());
        breakpoint.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
        breakpoint.enable();
      }
    }
  }

  /** Lets the JVM run (it starts suspended, waiting for the debugger). */
  void resumeAll() {
    vm.resume();
  }

  /**
   * The next thread to stop, within {@code timeout}; classes loaded meanwhile get their breakpoints.
   * {@code awaited} says what the stop should be, for the failure message.
   */
  Stop nextStop(Duration timeout, String awaited) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      EventSet events = left <= 0 ? null : vm.eventQueue().remove(left);
      if (events == null) {
        throw new AssertionError("no thread stopped within " + timeout + ": expected " + awaited);
      }
      Stop stop = null;
      for (Event event : events) {
        if (event instanceof ClassPrepareEvent prepared) {
          install(prepared.referenceType());
        } else if (event instanceof BreakpointEvent) {
          stop = new Stop((LocatableEvent) event, events);
        } else if (event instanceof VMDeathEvent || event instanceof VMDisconnectEvent) {
          throw new AssertionError("the JVM ended before a thread stopped: expected " + awaited);
        }
      }
      if (stop != null) {
        return stop;
      }
      events.resume();
    }
  }

  /** Detaches: every breakpoint goes and every stopped thread runs on. */
  @Override
  public void close() {
    try {
      vm.dispose();
    } catch (VMDisconnectedException ignored) {
      // the JVM has exited already
    }
  }
}
