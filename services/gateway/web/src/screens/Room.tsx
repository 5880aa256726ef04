import { useEffect, useRef, useState } from "preact/hooks";

import type { Post, RoomView } from "../api/resources";
import { useApp } from "../app";
import { Link } from "../components/Link";
import { SearchMap } from "../components/SearchMap";
import { Loading } from "../components/States";
import { generalProblem } from "../errors";
import type { Key } from "../i18n";

const MESSAGE_MAX = 500;
// A room the gateway has not read yet (the alert was just raised, or who it reached is
// on its way): refused once, asked again after this.
const RETRY_MS = 2_000;

/** An urgent alert's search room (docs/protocol.md, ``room:<post id>``): only the
 * requester and the helpers who said they are coming get in. The requester sees who was
 * alerted and who is coming, moves the last-seen point, describes who to look for,
 * releases a helper and ends the search; a helper sees the point and her sector, marks
 * it searched and may share where she is; everyone in it talks. */
export function Room({ id }: { id: string }) {
  const app = useApp();
  const { t } = app;
  const [room, setRoom] = useState<RoomView | null>(null);
  const [closed, setClosed] = useState<string | null>(null);
  const [post, setPost] = useState<Post | null>(null);
  const [problem, setProblem] = useState<Key | null>(null);
  const [sharing, setSharing] = useState(false);
  const [message, setMessage] = useState("");
  const [description, setDescription] = useState<string | null>(null);
  const watch = useRef<number | null>(null);
  const channel = `room:${id}`;
  const account = app.session.account?.id;

  useEffect(() => { void app.api.post(id).then(setPost, () => setPost(null)); }, [id]);

  useEffect(() => {
    if (!account) return;
    setClosed(null);
    let retried = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const off = app.onFrame((frame) => {
      if (frame.channel !== channel) return;
      if (frame.type === "room") setRoom(frame.room as RoomView);
      else if (frame.type === "room_closed") { setClosed(String(frame.reason)); setRoom(null); }
      else if (frame.type === "error" && frame.field === "channel" && !retried) {
        retried = true;
        retry = setTimeout(() => app.live.subscribe(channel), RETRY_MS);
      } else if (frame.type === "error" && frame.field === "channel") { setClosed("forbidden"); setRoom(null); }
      else if (frame.type === "error") setProblem(frame.code === "unavailable" ? "room_unavailable" : "room_refused");
    });
    app.live.subscribe(channel);
    return () => { off(); clearTimeout(retry); app.live.unsubscribe(channel); };
  }, [id, account]);

  // Sharing stops with the room (released, ended, left).
  useEffect(() => () => stopSharing(), []);
  useEffect(() => { if (!room) stopSharing(); }, [room === null]);

  const say = (update: string, fields: Record<string, unknown>) => {
    setProblem(null);
    if (!app.live.send({ type: "room_update", post_id: id, update, ...fields })) setProblem("room_unavailable");
  };
  const stopSharing = () => {
    if (watch.current !== null) navigator.geolocation.clearWatch(watch.current);
    watch.current = null;
    setSharing(false);
  };
  const share = () => {
    if (sharing) return stopSharing();
    if (!("geolocation" in navigator)) return setProblem("room_no_location");
    watch.current = navigator.geolocation.watchPosition(
      (p) => say("position", { lat: p.coords.latitude, lon: p.coords.longitude }),
      () => { stopSharing(); setProblem("room_no_location"); },
      { enableHighAccuracy: true },
    );
    setSharing(true);
  };
  const hereNow = () => {
    navigator.geolocation?.getCurrentPosition(
      (p) => say("last_seen", { lat: p.coords.latitude, lon: p.coords.longitude }),
      () => setProblem("room_no_location"),
    );
  };
  const end = (how: "found" | "cancel") => {
    const done = how === "found" ? app.api.resolvePost(id, "helped", []) : app.api.withdrawPost(id);
    void done.catch((error) => setProblem(generalProblem(error).key));
  };

  const title = post?.title ?? t("room_title_unknown");
  if (!app.session.loggedIn) {
    return (
      <section>
        <h1 tabIndex={-1}>{t("room_heading")}</h1>
        <p><Link href={`/login?next=${encodeURIComponent(`/alerts/${id}`)}`}>{t("log_in_to_continue")}</Link></p>
      </section>
    );
  }
  if (closed) {
    const key = closed === "forbidden" ? "room_forbidden" : closed === "released" ? "room_released"
      : closed === "declined" ? "room_declined_left" : "room_ended";
    return (
      <section>
        <h1 tabIndex={-1}>{t("room_heading")}</h1>
        <p class="state" role="status">{t(key as Key)}</p>
        <p><Link href={`/posts/${id}`}>{t("alert_see_request")}</Link> · <Link href="/">{t("back_to_feed")}</Link></p>
      </section>
    );
  }
  if (!room) return <section><h1 tabIndex={-1}>{t("room_heading")}</h1><Loading /></section>;

  const requester = room.role === "requester";
  const me = room.helpers.find((h) => h.member_id === account);
  const mySector = me?.sector ?? null;
  return (
    <section class="room">
      <h1 tabIndex={-1}>{t("room_heading_of", { title })}</h1>
      <p class="explain">{requester ? t("room_requester_intro") : t("room_helper_intro")}</p>
      {room.description && <p class="room-description"><strong>{t("room_description")}</strong> {room.description}</p>}
      {problem && <p class="form-problem" role="alert">{t(problem)}</p>}
      <SearchMap room={room} mySector={mySector} onPick={requester ? (lat, lon) => say("last_seen", { lat, lon }) : undefined} />
      <p class="meta">{app.config.tilesUrl ? t("room_map_hint") : t("room_no_tiles")}</p>

      {requester ? (
        <div class="room-panel">
          <h2>{t("room_alerted")}</h2>
          <ul>
            {room.reached_by_ring.map((n, ring) => <li key={ring}>{app.tn("room_reached_ring", n, { ring: ring + 1 })}</li>)}
          </ul>
          <h2>{t("room_coming")}</h2>
          {room.helpers.length === 0 ? <p>{t("room_nobody_yet")}</p> : (
            <ul class="helpers">
              {room.helpers.map((h) => (
                <li key={h.member_id}>
                  {h.name}{h.sector !== null && <span class="meta"> · {t(`sector_${h.sector}` as Key)}</span>}
                  <button type="button" onClick={() => app.live.send({ type: "release", post_id: id, member_id: h.member_id })}>
                    {t("room_release", { name: h.name })}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {room.declined > 0 && <p>{app.tn("room_declined", room.declined)}</p>}
          <div class="actions">
            <button type="button" onClick={hereNow}>{t("room_last_seen_here")}</button>
          </div>
          <form class="inline" onSubmit={(e) => { e.preventDefault(); if (description?.trim()) say("description", { text: description.trim() }); }}>
            <label for="room-description">{t("room_description_label")}</label>
            <textarea id="room-description" maxLength={MESSAGE_MAX} value={description ?? room.description}
              onInput={(e) => setDescription(e.currentTarget.value)} />
            <button type="submit">{t("save")}</button>
          </form>
          <div class="actions">
            <button type="button" class="primary" onClick={() => end("found")}>{t("room_found")}</button>
            <button type="button" class="danger" onClick={() => end("cancel")}>{t("room_cancel")}</button>
          </div>
        </div>
      ) : (
        <div class="room-panel">
          <p>{mySector !== null ? t("room_your_sector", { sector: t(`sector_${mySector}` as Key) }) : t("room_all_searched")}</p>
          <div class="actions">
            {mySector !== null && <button type="button" onClick={() => say("searched", { sector: mySector })}>{t("room_mark_searched")}</button>}
            <button type="button" aria-pressed={sharing} onClick={share}>{sharing ? t("room_stop_sharing") : t("room_share_position")}</button>
          </div>
          <h2>{t("room_coming")}</h2>
          <ul class="helpers">{room.helpers.map((h) => <li key={h.member_id}>{h.name}</li>)}</ul>
        </div>
      )}

      <div class="room-chat">
        <h2>{t("room_chat")}</h2>
        <ol class="messages" aria-live="polite">
          {room.messages.map((m) => <li key={m.at + m.member_id}><strong>{m.name}</strong> <span class="meta">{app.ago(m.at)}</span> {m.text}</li>)}
        </ol>
        <form class="inline" onSubmit={(e) => { e.preventDefault(); if (message.trim()) { say("message", { text: message.trim() }); setMessage(""); } }}>
          <label for="room-message">{t("room_message_label")}</label>
          <input id="room-message" maxLength={MESSAGE_MAX} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
          <button type="submit">{t("room_send")}</button>
        </form>
      </div>
    </section>
  );
}
