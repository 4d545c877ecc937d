// Starts Swagger UI on the API docs page (Qashyq's own file, not part of swagger-ui-dist).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    requestInterceptor: function (request) {
      var method = (request.method || "GET").toUpperCase();
      if (["GET", "HEAD", "OPTIONS", "TRACE"].indexOf(method) === -1) {
        request.headers["X-CSRFToken"] = cookie(root.dataset.csrfCookie || "csrftoken");
      }
      return request;
    },
  });
})();
