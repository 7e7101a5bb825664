// The preview page's PDF (core/previews.py): pdf.js draws each page on a canvas. Everything comes
// from our own origin (the library, its worker, CMaps and fonts), so the CSP stays 'self'.
const box = document.getElementById("pdf-preview");
const MAX_PAGES = 100;

async function show() {
  const pdfjs = await import(box.dataset.moduleUrl);
  pdfjs.GlobalWorkerOptions.workerSrc = box.dataset.workerUrl;
  const pdf = await pdfjs.getDocument({
    url: box.dataset.pdfUrl,
    cMapUrl: box.dataset.cmapUrl,
    cMapPacked: true,
    standardFontDataUrl: box.dataset.fontsUrl,
    useWasm: false,
    enableXfa: false,
  }).promise;
  box.querySelector(".pdf-preview-loading").remove();
  const scale = window.devicePixelRatio || 1;
  for (let number = 1; number <= Math.min(pdf.numPages, MAX_PAGES); number++) {
    const page = await pdf.getPage(number);
    const viewport = page.getViewport({ scale: 1.5 * scale });
    const canvas = document.createElement("canvas");
    canvas.className = "pdf-page d-block mx-auto mb-2 bg-white shadow-sm mw-100";
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    canvas.setAttribute("aria-label", box.dataset.pageLabel.replace("%(number)s", String(number)));
    canvas.setAttribute("role", "img");
    box.appendChild(canvas);
    await page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport }).promise;
  }
  box.dataset.pages = String(pdf.numPages);
  box.classList.add("pdf-ready");
}

if (box) {
  show().catch(function (error) {
    console.error(error);
    const loading = box.querySelector(".pdf-preview-loading");
    if (loading) { loading.remove(); }
    document.querySelector(".pdf-preview-error").classList.remove("d-none");
  });
}
