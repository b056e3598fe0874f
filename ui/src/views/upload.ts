import { announce, h } from "../dom";
import { asIpcError, type AccountView, type Api, type IpcError, type UploadResult } from "../ipc";

/** One photo in the list: its thumbnail, alt text, progress and outcome. */
interface Item {
  file: File;
  staged?: string;
  done: boolean;
  row: HTMLElement;
  alt: HTMLInputElement;
  bar: HTMLProgressElement;
  state: HTMLElement;
  thumb: string;
}

function size(bytes: number): string {
  return bytes < 1_000_000 ? `${Math.max(1, Math.round(bytes / 1000))} KB` : `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** Photos to the account's media library: pick or drop them, give each its alt text, upload,
 * follow each one's progress, cancel, retry the ones that failed, open each in wp-admin. */
export function uploadCard(api: Api, account: AccountView): HTMLElement {
  const items: Item[] = [];
  const input = h("input", { type: "file", multiple: true, accept: "image/*", id: "upload-input", class: "file-input", "data-testid": "upload-input" });
  const pick = h("label", { for: "upload-input", class: "button" }, "Add photos");
  const drop = h("div", { class: "drop-zone", "data-testid": "upload-drop" }, pick, h("span", { class: "muted" }, "or drop them here"));
  const list = h("ul", { class: "upload-list", "data-testid": "upload-list" });
  const keep = h("input", { type: "checkbox", id: "keep-location", "data-testid": "keep-location" });
  const keepLabel = h("label", { for: "keep-location", class: "check" }, keep, " Keep the photos' location (GPS) data");
  const batch = h("progress", { max: 1, value: 0, "data-testid": "upload-batch", "aria-label": "All photos", hidden: true });
  const start = h("button", { type: "button", class: "primary", "data-testid": "upload-start", disabled: true }, "Upload");
  const cancel = h("button", { type: "button", "data-testid": "upload-cancel", hidden: true }, "Cancel");
  const retry = h("button", { type: "button", "data-testid": "upload-retry", hidden: true }, "Retry the failed ones");
  const summary = h("p", { "data-testid": "upload-summary", role: "status" });

  const waiting = (): Item[] => items.filter((i) => !i.done);
  const refreshButtons = (busy: boolean): void => {
    start.disabled = busy || waiting().length === 0;
    retry.hidden = busy || !items.some((i) => i.row.classList.contains("failed"));
    cancel.hidden = !busy;
    input.disabled = busy;
  };

  const add = (files: Iterable<File>): void => {
    for (const file of files) {
      const index = items.length;
      const thumb = URL.createObjectURL(file);
      const alt = h("input", { type: "text", "data-testid": `alt-${index}`, placeholder: "What the photo shows", "aria-label": `Alternative text of ${file.name}` });
      const bar = h("progress", { max: 1, value: 0, "data-testid": `progress-${index}`, "aria-label": `${file.name} uploaded` });
      const state = h("div", { class: "upload-state", "data-testid": `state-${index}` }, `${size(file.size)}, ready`);
      const row = h(
        "li",
        { class: "upload-item", "data-testid": `upload-item-${index}` },
        h("img", { class: "thumb", src: thumb, alt: "", width: 64, height: 64 }),
        h("div", { class: "upload-main" }, h("div", { class: "upload-name" }, file.name), alt, bar, state),
      );
      items.push({ file, done: false, row, alt, bar, state, thumb });
      list.append(row);
    }
    refreshButtons(false);
  };

  input.addEventListener("change", () => {
    add(Array.from(input.files ?? []));
    input.value = "";
  });
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    add(Array.from(e.dataTransfer?.files ?? []).filter((f) => f.type.startsWith("image/") || f.type === ""));
  });

  const failed = (item: Item, err: IpcError): void => {
    item.state.replaceChildren(h("span", { class: "upload-error" }, err.message), " ", h("span", { class: "muted" }, err.hint));
    item.row.classList.add("failed");
  };

  const show = (result: UploadResult, sent: Item[]): void => {
    result.files.forEach((f, index) => {
      const item = sent[index];
      if (!item) return;
      if (f.media) {
        const media = f.media;
        item.done = true;
        item.bar.value = 1;
        item.row.classList.remove("failed");
        item.row.classList.add("uploaded");
        const open = h("button", { type: "button", class: "link", "data-testid": `edit-${items.indexOf(item)}`, onclick: () => void api.openOnSite(account.id, media.edit_link).catch((e) => failed(item, asIpcError(e))) }, "Open in wp-admin");
        const removed = f.locationRemoved.length ? h("span", { class: "muted" }, ` Location removed: ${f.locationRemoved.join("; ")}.`) : null;
        item.state.replaceChildren(`Uploaded (media #${media.id}). `, open, removed ?? "");
      } else if (f.error) {
        failed(item, f.error);
      }
    });
    const post = result.post && "Ok" in result.post ? ` The draft post "${result.post.Ok.title}" holds them.` : "";
    const said = `${result.uploaded} uploaded, ${result.failed} failed${result.cancelled ? " (cancelled)" : ""}.${post}`;
    summary.textContent = said;
    announce(said);
  };

  const run = async (): Promise<void> => {
    const sent = waiting();
    if (sent.length === 0) return;
    refreshButtons(true);
    batch.hidden = false;
    batch.value = 0;
    summary.textContent = "";
    const ready: Item[] = [];
    for (const item of sent) {
      item.row.classList.remove("failed");
      try {
        item.staged ??= (await api.stageUpload(item.file)).stagedId;
        item.state.textContent = "Waiting…";
        ready.push(item);
      } catch (e) {
        failed(item, asIpcError(e));
      }
    }
    try {
      const result = await api.upload(
        {
          accountId: account.id,
          keepLocation: keep.checked,
          files: ready.map((i) => ({ stagedId: i.staged as string, altText: i.alt.value })),
        },
        (p) => {
          const item = ready[p.index];
          if (p.stage === "progress") {
            batch.value = p.batchBytes ? p.batchSent / p.batchBytes : 1;
            if (item) {
              item.bar.value = p.bytes ? p.sent / p.bytes : 1;
              item.state.textContent = `Sending… ${size(p.sent)} of ${size(p.bytes)}`;
            }
          } else if (p.stage === "retrying" && item) {
            item.state.textContent = `Sending again: ${p.because}`;
          }
        },
      );
      show(result, ready);
    } catch (e) {
      const err = asIpcError(e);
      summary.replaceChildren(h("span", { class: "upload-error" }, err.message), " ", err.hint);
    }
    refreshButtons(false);
  };

  start.addEventListener("click", () => void run());
  retry.addEventListener("click", () => void run());
  cancel.addEventListener("click", () => void api.cancelUpload());

  return h(
    "section",
    { class: "card upload", "aria-labelledby": "upload-h", "data-testid": "upload" },
    h("h2", { id: "upload-h" }, "Upload photos"),
    h("p", { class: "muted" }, `To ${account.siteName}'s media library. Location data is removed before the photos leave this computer unless you keep it.`),
    input,
    drop,
    list,
    keepLabel,
    batch,
    h("div", { class: "actions" }, start, retry, cancel),
    summary,
  );
}
