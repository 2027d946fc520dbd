package io.raftoral.http.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console at {@code /console/}: a plain HTML, CSS and JavaScript page shipped in this jar (no CDN, no
 * framework: a user's network may have no internet) that reads the node's own API: topology from
 * {@code GET /admin/topology} when the node serves it (else {@code GET /discovery/peers}), live updates from
 * {@code GET /events}, workflows from {@code /workflow/*}. It adds no endpoint of its own.
 */
public final class ConsoleRoutes {

  /** Where the console is served. */
  public static final String PATH = "/console/";
  /** Where its files are in the jar (a class-path directory). */
  static final String ASSETS = "raftoral/console";

  private static final int FOUND = 302;

  /** Adds {@code /console} (a redirect to {@value #PATH}) and {@code /console/*} to {@code router}. */
  public Router mount(Router router) {
    // the router matches "/console" with or without its trailing slash: only the bare path is redirected
    router.get("/console").handler(rc -> {
      if (rc.request().path().endsWith("/")) {
        rc.next();
      } else {
        rc.response().setStatusCode(FOUND).putHeader("location", PATH).end();
      }
    });
    router.get("/console/*").handler(StaticHandler.create(ASSETS).setIndexPage("index.html")
        .setCachingEnabled(false));
    return router;
  }
}
