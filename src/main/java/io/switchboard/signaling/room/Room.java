package io.switchboard.signaling.room;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The participants of one room as this node routes to them: its own sessions and an endpoint for each of the
 * others. Only the presence verticle changes it; edge verticles read it concurrently to route frames, which is
 * why members live in concurrent maps. Publishers and viewers are kept apart so that a viewer's arrival touches
 * only the publishers (O(1) presence traffic per viewer, docs/protocol.md "Roles").
 */
public final class Room {

  private final String name;
  private final Map<String, Member> publishers = new ConcurrentHashMap<>();
  private final Map<String, Member> viewers = new ConcurrentHashMap<>();

  public Room(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  /** The member with this session id, or null. Safe from any thread. */
  public Member member(String sessionId) {
    Member member = publishers.get(sessionId);
    return member != null ? member : viewers.get(sessionId);
  }

  /** Publishers: everyone sees them. */
  public Collection<Member> publishers() {
    return publishers.values();
  }

  /** Viewers: only publishers see them. */
  public Collection<Member> viewers() {
    return viewers.values();
  }

  public int size() {
    return publishers.size() + viewers.size();
  }

  /** Everyone: publishers first. */
  public List<Member> members() {
    List<Member> all = new ArrayList<>(publishers.values());
    all.addAll(viewers.values());
    return all;
  }

  /** Everyone a participant with {@code observer} role sees, except {@code exceptId}. */
  public List<Participant> visibleTo(Role observer, String exceptId) {
    List<Participant> visible = new ArrayList<>();
    addAll(visible, publishers.values(), exceptId);
    if (observer == Role.PUBLISHER) {
      addAll(visible, viewers.values(), exceptId);
    }
    return visible;
  }

  private static void addAll(List<Participant> into, Collection<Member> members, String exceptId) {
    for (Member member : members) {
      if (!member.participant().id().equals(exceptId)) {
        into.add(member.participant());
      }
    }
  }

  /** Adds a member, or replaces the one with the same id (another endpoint). Presence thread only. */
  public void add(Member member) {
    Participant p = member.participant();
    (p.role() == Role.PUBLISHER ? publishers : viewers).put(p.id(), member);
  }

  /** Presence thread only; returns the removed member or null. */
  public Member remove(String sessionId) {
    Member removed = publishers.remove(sessionId);
    return removed != null ? removed : viewers.remove(sessionId);
  }
}
