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

/* Achievement as a bar AND its number written next to it (never the bar alone). */
dagcomponentfuncs.AchievementBar = function (props) {
  var value = props.value;
  var text = props.data ? props.data.achievement_text : "";
  var status = props.data ? props.data.status : "grey";
  var width = value === null || value === undefined ? 0 : Math.max(0, Math.min(value, 120)) / 1.2;
  return React.createElement(
    "div",
    { className: "achievement-bar" },
    React.createElement(
      "div",
      { className: "bar-track", "aria-hidden": "true" },
      React.createElement("div", {
        className: "bar-fill fill-" + status,
        style: { width: width + "%" },
      })
    ),
    React.createElement("span", { className: "bar-text" }, text)
  );
};
