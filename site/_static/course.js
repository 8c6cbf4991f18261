// The course site on Furo (site/conf.py): a menu button that also works on a wide screen, where it
// collapses the navigation sidebar (it toggles the theme's own #__navigation checkbox; course.css hides
// the sidebar while it is checked). On a phone the theme's own menu button is used.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector(".content-icon-container");
  if (!box || !document.getElementById("__navigation")) return;
  var label = document.createElement("label");
  label.className = "nav-desktop-toggle";
  label.htmlFor = "__navigation";
  label.title = "Show or hide the list of notebooks";
  label.setAttribute("role", "button");
  label.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path fill="none" stroke="currentColor" ' +
    'stroke-width="2" d="M4 6h16M4 12h16M4 18h16"/></svg><span>Menu</span>';
  box.insertBefore(label, box.firstChild);
});
