"""The page's stylesheet and its one script, handed to ``launch(css=..., js=...)`` by ``app.py``."""

CSS = """
.attache-sources { font-size: 0.92em; }
.attache-turn-title { font-weight: 600; margin: 0 0 6px 0; }
.attache-earlier > summary { cursor: pointer; color: var(--body-text-color-subdued); margin: 6px 0; }
.attache-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  margin-bottom: 8px; scroll-margin: 12px; transition: box-shadow 0.3s, border-color 0.3s; }
.attache-source.uncited { opacity: 0.75; }
.attache-source.attache-active { border-color: #d97706; box-shadow: 0 0 0 3px rgba(217, 119, 6, 0.35); opacity: 1; }
.attache-source h4 { margin: 0 0 4px 0; font-size: 0.95em; }
.attache-source .attache-card-meta { color: var(--body-text-color-subdued); font-size: 0.85em; margin-bottom: 4px; }
.attache-source mark { background: #fde68a; color: #1f2937; padding: 0 1px; }
.attache-source.attache-active mark { background: #fbbf24; }
.attache-passage > summary { cursor: pointer; display: block; list-style: none; }
.attache-passage > summary::-webkit-details-marker { display: none; }
.attache-passage > summary::after { content: " show more"; color: var(--link-text-color); font-size: 0.85em; }
.attache-passage[open] > summary .attache-preview { display: none; }
.attache-passage[open] > summary::after { content: "show less"; }
a.attache-cite { text-decoration: none; font-weight: 600; cursor: pointer; }
.attache-badge { font-size: 0.8em; border-radius: 4px; padding: 0 3px; margin-left: 2px; cursor: help; }
.attache-badge.supported { color: #15803d; }
.attache-badge.weak { color: #b45309; }
.attache-badge.unsupported, .attache-badge.uncited { color: #b91c1c; }
.attache-answers { font-size: 0.7em; border-radius: 4px; padding: 0 4px; margin-left: 3px; cursor: help;
  border: 1px solid currentColor; vertical-align: 1px; white-space: nowrap; }
.attache-answers.likely { color: #15803d; }
.attache-meta { color: var(--body-text-color-subdued); }
.attache-missing { font-style: italic; }
/* the welcome: from the top, scrolling when long (Gradio centres a placeholder, which cuts a long one off) */
#attache-chat .placeholder-content { overflow-y: auto; padding-top: 28px; }
#attache-chat .placeholder { justify-content: flex-start; align-items: flex-start; height: auto; flex-grow: 1; }
.attache-relevance { white-space: nowrap; }
.attache-bars { display: inline-flex; gap: 2px; vertical-align: -1px; }
.attache-bar { display: inline-block; width: 5px; height: 11px; border-radius: 1px; background: #d1d5db; }
.attache-relevance.high .attache-bar.on { background: #15803d; }
.attache-relevance.medium .attache-bar.on { background: #ca8a04; }
.attache-relevance.low .attache-bar.on { background: #9ca3af; }
a.attache-open { cursor: pointer; }
.attache-reader { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 14px; }
.attache-read-scroll { max-height: 64vh; overflow-y: auto; padding-right: 4px; }
.attache-reader h3 { margin: 0 0 4px 0; }
.attache-read-body { white-space: pre-line; line-height: 1.55; }
.attache-read-summary { font-size: 0.9em; color: var(--body-text-color-subdued); }
.attache-reader mark { background: #fde68a; color: #1f2937; padding: 0 1px; scroll-margin: 40px; }
.attache-read-cite { color: #b45309; font-weight: 600; margin-left: 1px; }
/* the analyst's views: Quotes, Timeline, Coverage */
.attache-view-head { margin: 4px 0 10px 0; }
.attache-empty { color: var(--body-text-color-subdued); margin: 8px 0; }
.attache-view-reader { position: sticky; top: 8px; align-self: flex-start; }
.attache-quote-list { display: flex; flex-direction: column; gap: 10px; }
.attache-quote { margin: 0; border: 1px solid var(--border-color-primary); border-left: 4px solid #d97706;
  border-radius: 8px; padding: 8px 12px; }
/* Gradio pads every link of an HTML block like a button: not in the views' results and readers */
:is(#attache-quotes-results, #attache-timeline-results, #attache-coverage-results) a,
:is(#attache-quotes-reader, #attache-timeline-reader, #attache-coverage-reader) a { padding: 0; }
.attache-quote-words { margin: 0 0 4px 0; font-size: 1.05em; line-height: 1.45; }
.attache-view-query { align-items: flex-end !important; }
.attache-quote-words a { color: inherit; text-decoration: none; }
.attache-quote-words a:hover { text-decoration: underline; text-decoration-color: #d97706; }
.attache-quote-speaker { font-weight: 600; margin-bottom: 2px; }
.attache-quote-role { font-weight: 400; color: var(--body-text-color-subdued); }
.attache-quote-title { font-style: italic; }
.attache-card-meta { color: var(--body-text-color-subdued); font-size: 0.85em; }
.attache-tl-figure { margin: 0 0 12px 0; border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 8px 10px; }
.attache-tl-chart { display: block; width: 100%; max-width: 960px; height: auto; }
.attache-tl-chart text { fill: var(--body-text-color-subdued); font-size: 11px; }
.attache-tl-chart line.grid { stroke: var(--border-color-primary); stroke-width: 1; }
.attache-tl-chart a rect:hover { opacity: 0.8; }
.attache-tl-legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 0.85em; margin-top: 4px; }
.attache-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px;
  vertical-align: 0; }
.attache-tl-day, .attache-tl-undated { scroll-margin: 12px; margin-bottom: 12px; }
.attache-tl-day > h4, .attache-tl-undated > h4 { margin: 0 0 6px 0; padding-bottom: 2px;
  border-bottom: 1px solid var(--border-color-primary); }
.attache-tl-undated > h4 { color: #b45309; }
.attache-event { padding: 4px 0 8px 12px; border-left: 2px solid var(--border-color-primary); margin-bottom: 6px; }
.attache-event-text { margin: 0 0 2px 0; }
.attache-event-sources { list-style: none; margin: 0; padding: 0; font-size: 0.9em; }
.attache-tl-how { color: var(--body-text-color-subdued); font-size: 0.8em; font-style: italic; }
.attache-cov-grid { display: grid; grid-auto-flow: column; grid-auto-columns: minmax(260px, 1fr); gap: 12px;
  overflow-x: auto; padding-bottom: 6px; }
.attache-cov-outlet { border: 1px solid var(--border-color-primary); border-top: 4px solid #4e79a7;
  border-radius: 8px; padding: 8px 12px; min-width: 0; }
.attache-cov-outlet h4 { margin: 0 0 2px 0; }
.attache-cov-first { font-size: 0.7em; font-weight: 600; color: #15803d; border: 1px solid currentColor;
  border-radius: 4px; padding: 0 4px; vertical-align: 2px; }
.attache-cov-also { font-size: 0.85em; margin: 4px 0; color: #b45309; }
.attache-cov-sentences { padding-left: 18px; margin: 6px 0 0 0; }
.attache-cov-sentences li { margin-bottom: 8px; }
.attache-view-reader .attache-read-scroll { max-height: 70vh; }
.warn p, .warn { color: #b91c1c; font-size: 0.9em; margin-top: 2px; }
.attache-report table, .attache-settings table { border-collapse: collapse; font-size: 0.9em; margin: 0; }
.attache-report td, .attache-report th, .attache-settings td, .attache-settings th {
  border: 1px solid var(--border-color-primary); }
.attache-report td, .attache-report th, .attache-settings td, .attache-settings th { padding: 2px 8px;
  text-align: left; vertical-align: top; }
"""

# Runs once on page load (``launch(js=...)``). Gradio sanitises chat HTML, so the markers are plain
# ``#cite-t-n`` links and this capture-phase listener does the scrolling and highlighting; a second one turns a
# card's "open article" link into a click on the Chat tab's hidden reader button.
CITE_JS = """
() => {
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a.attache-cite") : null;
    if (!link) return;
    const key = (link.getAttribute("href") || "").replace(/^#cite-/, "");
    const card = document.querySelector('.attache-source[data-cite="' + CSS.escape(key) + '"]');
    event.preventDefault();
    event.stopPropagation();
    if (!card) return;
    for (let node = card; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
    card.querySelectorAll("details.attache-passage").forEach((d) => { d.open = true; });
    document.querySelectorAll(".attache-source.attache-active").forEach((c) => c.classList.remove("attache-active"));
    card.classList.add("attache-active");
    card.scrollIntoView({ behavior: "smooth", block: "center" });
  }, true);
  // a card's "open article": the Chat tab's hidden key box gets "turn:article_id", its hidden button is clicked;
  // a view's span link (data-pane="quotes" …) does the same with that view's box ("article_id:start:end")
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a.attache-open") : null;
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const pane = /^[a-z]+$/.test(link.dataset.pane || "") ? "-" + link.dataset.pane : "";
    const box = document.querySelector(`#attache${pane}-read-key textarea, #attache${pane}-read-key input`);
    const button = document.querySelector(`button#attache${pane}-read, #attache${pane}-read button`);
    if (!box || !button) return;
    box.value = link.dataset.read || "";
    box.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(() => button.click(), 50);
  }, true);
  // a timeline bar: scroll to its day in the list (no change of the page's address)
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a.attache-jump") : null;
    if (!link) return;
    event.preventDefault();
    document.getElementById(link.dataset.target || "")?.scrollIntoView({ behavior: "smooth", block: "start" });
  }, true);
  // Gradio draws some labels (the date boxes') as a <span>: name each unlabelled field after its block's label,
  // so a screen reader, or a test finding "As of" by its label, finds the field
  const tie = () => {
    document.querySelectorAll("input:not([type=hidden]):not([type=file]), textarea").forEach((field) => {
      if (field.getAttribute("aria-label") || (field.labels && field.labels.length)) return;
      const block = field.closest(".block");
      const label = block?.querySelector('[data-testid="block-info"]');
      if (!label || label.closest(".block") !== block) return;  // a label of this very block, not an outer one
      const name = label.textContent.trim();
      field.setAttribute("aria-label", name);
      const calendar = block.querySelector("button.calendar:not([aria-label])");
      if (calendar) calendar.setAttribute("aria-label", "calendar");
    });
  };
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; tie(); });
  }).observe(document.body, { childList: true, subtree: true });
  tie();
}
"""
