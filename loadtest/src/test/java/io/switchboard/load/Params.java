package io.switchboard.load;

import java.util.ArrayList;
import java.util.List;

/** The system properties every simulation reads (-Dname=value on the Maven command line). */
public final class Params {

  private Params() {
  }

  public static int integer(String name, int fallback) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
  }

  public static double decimal(String name, double fallback) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? fallback : Double.parseDouble(v.trim());
  }

  public static String string(String name, String fallback) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  /** Comma-separated list. */
  public static List<String> list(String name, String fallback) {
    List<String> out = new ArrayList<>();
    for (String item : string(name, fallback).split(",")) {
      if (!item.isBlank()) {
        out.add(item.trim());
      }
    }
    return out;
  }

  public static List<Integer> integers(String name, String fallback) {
    List<Integer> out = new ArrayList<>();
    for (String item : list(name, fallback)) {
      out.add(Integer.parseInt(item));
    }
    return out;
  }
}
