// GraphiQL's start-up, served by the server itself (no inline script, so the
// page's Content-Security-Policy needs no 'unsafe-inline').
//
// The fetcher sends queries and mutations as POST /graphql with the headers
// of GraphiQL's headers editor, and runs subscriptions over graphql-ws
// (graphql-transport-ws) on the same path, passing the editor's
// Authorization header as the connection_init payload
// {"authorization": "Bearer ..."}: one WebSocket per distinct header.
(function () {
  'use strict';
  var graphql = window.GraphiQL.GraphQL;
  var httpUrl = new URL('/graphql', window.location.href).toString();
  var wsUrl = httpUrl.replace(/^http/, 'ws');
  var clients = new Map();

  function headerValue(headers, name) {
    var wanted = name.toLowerCase();
    for (var key in headers || {}) {
      if (key.toLowerCase() === wanted) return String(headers[key]);
    }
    return null;
  }

  function wsClient(authorization) {
    var key = authorization || '';
    if (!clients.has(key)) {
      clients.set(key, window.graphqlWs.createClient({
        url: wsUrl,
        lazy: true,
        connectionParams: authorization ? { authorization: authorization } : {},
      }));
    }
    return clients.get(key);
  }

  function isSubscription(params) {
    try {
      var op = graphql.getOperationAST(graphql.parse(params.query), params.operationName || undefined);
      return op !== null && op !== undefined && op.operation === 'subscription';
    } catch (e) {
      return false;
    }
  }

  function fetcher(params, opts) {
    var headers = (opts && opts.headers) || {};
    if (isSubscription(params)) {
      var client = wsClient(headerValue(headers, 'authorization'));
      return {
        subscribe: function (observer) {
          var dispose = client.subscribe(
            { query: params.query, variables: params.variables, operationName: params.operationName },
            {
              next: function (value) { observer.next(value); },
              error: function (err) { observer.error(err); },
              complete: function () { observer.complete(); },
            }
          );
          return { unsubscribe: dispose };
        },
      };
    }
    var sent = Object.assign(
      { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      headers
    );
    return fetch(httpUrl, {
      method: 'POST',
      headers: sent,
      body: JSON.stringify(params),
      credentials: 'omit',
    }).then(function (response) { return response.json(); });
  }

  var plugins = [];
  if (window.GraphiQLPluginExplorer) plugins.push(window.GraphiQLPluginExplorer.explorerPlugin());
  var root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(window.React.createElement(window.GraphiQL, {
    fetcher: fetcher,
    plugins: plugins,
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false,
  }));
})();
