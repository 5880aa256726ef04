// The HTTP APIs the screens use, typed.

import { type Config, json, request } from "./http";
import type { Account } from "./session";

export interface Author {
  id: string;
  display_name: string;
  /** A verified organisation. */
  verified?: boolean;
}

export interface Post {
  id: string;
  author: Author;
  kind: "request" | "offer";
  category: string;
  title: string;
  body: string;
  language: string;
  location: { lat: number; lon: number; precision_m: number };
  radius_m: number;
  urgency: "normal" | "urgent";
  status: string;
  outcome: string | null;
  reply_count: number;
  expires_at: string;
  created_at: string;
  updated_at: string;
  distance_m?: number;
  exact_location?: { lat: number; lon: number };
  helped_by?: string[];
  photos?: string[];
  /** A verified organisation's post for this person (a first name or an alias). */
  on_behalf_of?: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Reply {
  id: string;
  author: Author;
  intent: "comment" | "can_help";
  body: string;
  created_at: string;
  /** On a post made for a person: their answer to this offer, on their word. */
  answer?: "accepted" | "declined" | null;
}

/** A day's resolved requests and offers per category, kind and area (no cell under 5). */
export interface OutcomesOfTheDay {
  day: string;
  area_size_m: number;
  k_anonymity: number;
  cells: { category: string; kind: "request" | "offer"; area: string; lat: number; lon: number; resolved: number }[];
}

export interface Place {
  name: string;
  region: string;
  country: string;
  lat: number;
  lon: number;
}

export interface MatchReason {
  factor: "category" | "distance" | "time" | "words" | "language";
  weight: number;
  detail: string; // English, for API users: the client says it from the fields below
  distance_m?: number | null;
  words?: string[];
  languages?: string[];
}

export interface Match {
  match_id: string;
  post_id: string;
  other_post_id: string;
  score: number;
  reasons: MatchReason[];
  found_at: string;
  other: { post_id: string; title: string; kind: string; category: string; urgent: boolean } | null;
}

export interface Notification {
  id: string;
  reason: string;
  title: string;
  title_code: string | null;
  title_params: Record<string, string>;
  post_id: string | null;
  urgent: boolean;
  created_at: string;
  read: boolean;
  /** An urgent alert's distance, coarse: 500 (under 500 m), 1000, 3000, then 5 km steps. */
  distance_m?: number | null;
}

export interface Preferences {
  categories: string[];
  quiet_start: string | null;
  quiet_end: string | null;
  timezone: string;
  daily_cap: number | null;
}

export interface FeedFilters {
  kind?: string;
  category?: string;
  q?: string;
  lat?: number;
  lon?: number;
  within_m?: number;
}

export class Api {
  constructor(private readonly config: Config) {}

  private posts(path: string): string {
    return `${this.config.postsUrl}${path}`;
  }

  private notes(path: string): string {
    return `${this.config.notificationsUrl}${path}`;
  }

  register(body: Record<string, unknown>): Promise<Account> {
    return request(this.posts("/auth/register"), { method: "POST", body: json(body), auth: false });
  }

  feed(filters: FeedFilters, cursor: string | null): Promise<Page<Post>> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) {
      if (value !== undefined && value !== "") query.set(name, String(value));
    }
    if (cursor) query.set("cursor", cursor);
    query.set("limit", "20");
    return request(this.posts(`/posts?${query}`));
  }

  post(id: string): Promise<Post> {
    return request(this.posts(`/posts/${encodeURIComponent(id)}`));
  }

  profile(memberId: string): Promise<PublicProfile> {
    return request(this.posts(`/members/${encodeURIComponent(memberId)}`));
  }

  myPosts(cursor: string | null): Promise<Page<Post>> {
    return request(this.posts(`/me/posts${cursor ? `?cursor=${cursor}` : ""}`));
  }

  createPost(body: Record<string, unknown>): Promise<Post> {
    return request(this.posts("/posts"), { method: "POST", body: json(body) });
  }

  editPost(id: string, body: Record<string, unknown>): Promise<Post> {
    return request(this.posts(`/posts/${id}`), { method: "PATCH", body: json(body) });
  }

  resolvePost(id: string, outcome: string, helpedBy: string[]): Promise<Post> {
    const body = json({ outcome, helped_by: helpedBy });
    return request(this.posts(`/posts/${id}/resolve`), { method: "POST", body });
  }

  addPhoto(id: string, file: File): Promise<Post> {
    const form = new FormData();
    form.append("file", file);
    return request(this.posts(`/posts/${id}/photos`), { method: "POST", body: form });
  }

  removePhoto(id: string, photoId: string): Promise<Post> {
    return request(this.posts(`/posts/${id}/photos/${photoId}`), { method: "DELETE" });
  }

  /** Where a photo (or its thumbnail) is served: the posts API. */
  photoUrl(photoId: string, thumb = false): string {
    return this.posts(`/photos/${photoId}${thumb ? "/thumb" : ""}`);
  }

  withdrawPost(id: string): Promise<Post> {
    return request(this.posts(`/posts/${id}/withdraw`), { method: "POST" });
  }

  reportPost(id: string, reason: string): Promise<void> {
    return request(this.posts(`/posts/${id}/reports`), { method: "POST", body: json({ reason }) });
  }

  thread(id: string, after: string | null): Promise<Page<Reply>> {
    return request(this.posts(`/posts/${id}/replies${after ? `?after=${after}` : ""}`));
  }

  reply(id: string, body: string, intent: string): Promise<Reply> {
    const payload = json({ body, intent });
    return request(this.posts(`/posts/${id}/replies`), { method: "POST", body: payload });
  }

  answerOffer(postId: string, replyId: string, answer: "accepted" | "declined"): Promise<Reply> {
    const url = this.posts(`/posts/${postId}/replies/${replyId}/answer`);
    return request(url, { method: "PUT", body: json({ answer }) });
  }

  places(q: string): Promise<Place[]> {
    return request(this.posts(`/places?q=${encodeURIComponent(q)}`), { auth: false });
  }

  nearestPlace(lat: number, lon: number): Promise<Place | null> {
    return request(this.posts(`/places/nearest?lat=${lat}&lon=${lon}`), { auth: false });
  }

  requestReset(email: string): Promise<void> {
    return request(this.posts("/auth/password-reset/request"), { method: "POST", body: json({ email }), auth: false });
  }

  resetPassword(token: string, password: string): Promise<void> {
    const body = json({ token, new_password: password });
    return request(this.posts("/auth/password-reset"), { method: "POST", body, auth: false });
  }

  verifyEmail(token: string): Promise<void> {
    return request(this.posts("/auth/verify-email"), { method: "POST", body: json({ token }), auth: false });
  }

  sendVerification(): Promise<void> {
    return request(this.posts("/me/email/verification"), { method: "POST" });
  }

  updateMe(body: Record<string, unknown>): Promise<Account> {
    return request(this.posts("/me"), { method: "PATCH", body: json(body) });
  }

  // conversations ----------------------------------------------------------------
  /** The member's conversation with the post's author: started, or the one she has. */
  contact(postId: string): Promise<Conversation> {
    return request(this.posts(`/posts/${postId}/conversations`), { method: "POST" });
  }

  conversations(cursor: string | null): Promise<Page<Conversation> & { unread: number }> {
    return request(this.posts(`/me/conversations${cursor ? `?cursor=${cursor}` : ""}`));
  }

  conversation(id: string): Promise<Conversation> {
    return request(this.posts(`/conversations/${encodeURIComponent(id)}`));
  }

  messages(id: string, cursor: string | null): Promise<Page<Message>> {
    return request(this.posts(`/conversations/${encodeURIComponent(id)}/messages${cursor ? `?cursor=${cursor}` : ""}`));
  }

  send(id: string, body: string): Promise<Message> {
    return request(this.posts(`/conversations/${id}/messages`), { method: "POST", body: json({ body }) });
  }

  readConversation(id: string, upTo: string | null): Promise<void> {
    return request(this.posts(`/conversations/${id}/read`), { method: "POST", body: json({ up_to: upTo }) });
  }

  reportConversation(id: string, reason: string, messageId: string | null): Promise<void> {
    const body = json({ reason, message_id: messageId });
    return request(this.posts(`/conversations/${id}/reports`), { method: "POST", body });
  }

  // organisations -------------------------------------------------------------------
  applyAsOrganisation(body: OrganisationApplication): Promise<OrganisationApplication> {
    return request(this.posts("/me/organisation"), { method: "POST", body: json(body) });
  }

  myOrganisation(): Promise<OrganisationApplication | null> {
    return request(this.posts("/me/organisation"));
  }

  decideOrganisation(accountId: string, action: string, reason: string): Promise<void> {
    return request(this.posts(`/moderation/organisations/${accountId}/decision`), { method: "POST", body: json({ action, reason }) });
  }

  // moderation ---------------------------------------------------------------------
  moderationQueue(): Promise<unknown> {
    return request(this.posts("/moderation/queue"));
  }

  decidePost(postId: string, action: string, reason: string): Promise<void> {
    return request(this.posts(`/moderation/posts/${postId}/decision`), { method: "POST", body: json({ action, reason }) });
  }

  dismissConversation(conversationId: string, reason: string): Promise<void> {
    return request(this.posts(`/moderation/conversations/${conversationId}/decision`), { method: "POST", body: json({ reason }) });
  }

  dismissMember(memberId: string, reason: string): Promise<void> {
    return request(this.posts(`/moderation/members/${memberId}/decision`), { method: "POST", body: json({ reason }) });
  }

  reportMember(memberId: string, reason: string): Promise<void> {
    return request(this.posts(`/members/${memberId}/reports`), { method: "POST", body: json({ reason }) });
  }

  appeal(postId: string, text: string): Promise<void> {
    return request(this.posts(`/posts/${postId}/appeal`), { method: "POST", body: json({ text }) });
  }

  suspend(memberId: string, reason: string): Promise<void> {
    return request(this.posts(`/members/${memberId}/suspension`), { method: "POST", body: json({ reason }) });
  }

  reinstate(memberId: string, reason: string): Promise<void> {
    return request(this.posts(`/members/${memberId}/reinstatement`), { method: "POST", body: json({ reason }) });
  }

  grantRole(memberId: string, role: string, reason: string): Promise<void> {
    return request(this.posts(`/members/${memberId}/role`), { method: "PUT", body: json({ role, reason }) });
  }

  blocks(): Promise<Author[]> {
    return request(this.posts("/me/blocks"));
  }

  block(memberId: string): Promise<void> {
    return request(this.posts(`/me/blocks/${memberId}`), { method: "PUT" });
  }

  unblock(memberId: string): Promise<void> {
    return request(this.posts(`/me/blocks/${memberId}`), { method: "DELETE" });
  }

  // a partner's webhooks ----------------------------------------------------------
  endpoints(): Promise<Endpoint[]> {
    return request(this.notes("/v1/webhooks"));
  }

  createEndpoint(body: { url: string; description: string; filters: Record<string, unknown> }): Promise<Endpoint & { secret: string }> {
    return request(this.notes("/v1/webhooks"), { method: "POST", body: json(body) });
  }

  endpointAction(id: string, action: "pause" | "enable" | "test" | "rotate-secret"): Promise<Endpoint & { secret?: string }> {
    return request(this.notes(`/v1/webhooks/${id}/${action}`), { method: "POST" });
  }

  deleteEndpoint(id: string): Promise<void> {
    return request(this.notes(`/v1/webhooks/${id}`), { method: "DELETE" });
  }

  deliveries(id: string): Promise<{ items: Delivery[]; next_cursor: number | null }> {
    return request(this.notes(`/v1/webhooks/${id}/deliveries?limit=50`));
  }

  outcomes(from: string, to: string): Promise<OutcomesOfTheDay[]> {
    return request(this.notes(`/v1/outcomes?from=${from}&to=${to}`));
  }

  replay(id: string, after: number): Promise<{ requeued: number }> {
    return request(this.notes(`/v1/webhooks/${id}/replay`), { method: "POST", body: json({ after }) });
  }

  matches(postId: string): Promise<Match[]> {
    return request(this.notes(`/v1/posts/${postId}/matches`));
  }

  inbox(before: string | null): Promise<Page<Notification> & { unread: number }> {
    return request(this.notes(`/v1/inbox${before ? `?before=${before}` : ""}`));
  }

  markRead(ids: string[] | null): Promise<{ marked: number }> {
    return request(this.notes("/v1/inbox/read"), { method: "POST", body: json({ ids }) });
  }

  preferences(): Promise<Preferences> {
    return request(this.notes("/v1/preferences"));
  }

  savePreferences(prefs: Preferences): Promise<Preferences> {
    return request(this.notes("/v1/preferences"), { method: "PUT", body: json(prefs) });
  }
}

/** An urgent alert's search room, as the gateway shows it to someone in it. */
export interface RoomHelper {
  member_id: string;
  name: string;
  sector: number | null;
  position: { lat: number; lon: number } | null;
}

export interface RoomView {
  post_id: string;
  alert_id: string;
  role: "requester" | "helper";
  point: { lat: number; lon: number };
  description: string;
  ring: number;
  reached_by_ring: number[];
  declined: number;
  helpers: RoomHelper[];
  sectors: { count: number; radius_m: number; searched: number[] };
  messages: { member_id: string; name: string; text: string; at: string }[];
  expires_at: string;
}

/** What anyone may see of a member (never an e-mail, a place or a setting). */
export interface PublicProfile {
  id: string;
  display_name: string;
  member_since: string;
  languages: string[];
  bio: string;
  requests_resolved: number;
  offers_resolved: number;
  helped: number;
  suspended?: boolean;
  organisation?: { name: string; kind: string } | null;
}

export interface OrganisationApplication {
  name: string;
  kind: string;
  registration_number: string;
  website: string;
  contact: string;
  status?: "pending" | "verified" | "refused";
}

/** A private conversation as one of its two members sees it. */
export interface Conversation {
  id: string;
  post: { id: string; title: string };
  other: Author;
  started_at: string;
  last_message_at: string;
  last_message: { id: string; sender_id: string; body: string; sent_at: string } | null;
  unread: number;
  /** The last message the other member read: "seen" under mine up to it. */
  seen_up_to: string | null;
  /** A message arranged a meeting: the safety note shows. */
  meeting_noted: boolean;
  can_write: boolean;
  blocked_by_me: boolean;
}

export interface Message {
  id: string;
  conversation_id: string;
  sender: Author;
  body: string;
  sent_at: string;
}

/** A partner's webhook endpoint. */
export interface Endpoint {
  id: string;
  url: string;
  description: string;
  filters: { categories: string[]; kinds: string[]; urgent_only: boolean };
  enabled: boolean;
  disabled_reason: string | null;
  created_at: string;
}

export interface Delivery {
  seq: number;
  message_id: string;
  event_type: string;
  status: "pending" | "delivered" | "dead";
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}
