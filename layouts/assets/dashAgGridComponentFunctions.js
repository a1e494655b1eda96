/* Cell renderers of the dashboard's grids (dash-ag-grid looks them up by name). */
var dagcomponentfuncs = (window.dashAgGridComponentFunctions =
  window.dashAgGridComponentFunctions || {});

/* The objective code as a client-side link (drill-down without reloading the app). */
dagcomponentfuncs.ObjectiveLink = function (props) {
  if (!props.data || !props.data.href) {
    return props.value;
  }
  return React.createElement(window.dash_core_components.Link, {
    href: props.data.href,
    children: props.value,
    className: "grid-link",
  });
};

/* Achievement as a bar AND its number written next to it (never the bar alone). The bar's
   scale is the target: 100 % fills it. Above 100 % the bar stays full and the share beyond
   the target is drawn hatched at its right end (.bar-over), up to half the bar (200 %). */
dagcomponentfuncs.AchievementBar = function (props) {
  var value = props.value;
  var text = props.data ? props.data.achievement_text : "";
  var status = props.data ? props.data.status : "grey";
  var number = value === null || value === undefined ? 0 : Math.max(0, value);
  var width = Math.min(number, 100);
  var over = number > 100 ? (Math.min(number, 200) - 100) / Math.min(number, 200) * 100 : 0;
  var fill = over > 0
    ? React.createElement("div", { className: "bar-over", style: { width: over + "%" } })
    : null;
  return React.createElement(
    "div",
    { className: "achievement-bar" + (over > 0 ? " over-target" : "") },
    React.createElement(
      "div",
      { className: "bar-track", "aria-hidden": "true" },
      React.createElement(
        "div",
        { className: "bar-fill fill-" + status, style: { width: width + "%" } },
        fill
      )
    ),
    React.createElement("span", { className: "bar-text" }, text)
  );
};
