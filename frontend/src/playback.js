// The report's playback: a range input scrubs through an answer's snapshots.
// Each [data-playback] block holds the snapshots as JSON (a non-executed
// <script type="application/json">), the range, a label and the code.

for (const block of document.querySelectorAll("[data-playback]")) {
  const range = block.querySelector("[data-playback-range]");
  const source = document.getElementById(range.dataset.source);
  const label = block.querySelector("[data-playback-label]");
  const code = block.querySelector("[data-playback-code] code") || block.querySelector("[data-playback-code]");
  const snapshots = JSON.parse(source.textContent);
  const show = () => {
    const index = Number(range.value);
    const snapshot = snapshots[index];
    if (!snapshot) return;
    code.textContent = snapshot.code;
    label.textContent = `${index + 1} / ${snapshots.length} \u00b7 ${snapshot.time} \u00b7 ${snapshot.kind}`;
  };
  range.addEventListener("input", show);
}
