"""JupyterLab 4 (the app built in build/ from npm) served by Debian's jupyterlab_server 2.16 over
jupyter_server 1.23, as jupyterlab's examples/app/main.py serves it. Run with the Python that has them
(/usr/bin/python3 on Debian); the project's tooling starts it (test/support/lab.ts, `npm run lab`):

    python3 server.py --ServerApp.port=8888 --ServerApp.root_dir=.. [--ServerApp.token=...]

jupyter_server 1.x lacks two endpoints JupyterLab 4 calls, added here: /api/me (who the user is; without it
the page logs 404s) and the /api/events/subscribe websocket (without it JupyterLab retries it forever).
jupyterlab_server 2.16 lacks /lab/api/update: app-settings/overrides.json turns the news and update checks
off.
"""
import json
import os

from jupyter_server.base.handlers import APIHandler
from jupyterlab_server import LabServerApp
from tornado import web, websocket

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")
# Per-user state (settings the user changes, the open tabs), outside the repository's files.
STATE = os.environ.get("GAN_LAB_STATE_DIR") or os.path.join(HERE, ".state")

# Configuration files on disk (~/.jupyter) do not change this app.
os.environ["JUPYTER_NO_CONFIG"] = "1"

with open(os.path.join(HERE, "package.json")) as f:
    VERSION = json.load(f)["dependencies"]["@jupyterlab/application"].lstrip("~^")


class MeHandler(APIHandler):
    """GET /api/me: the user's identity, as jupyter_server 2 answers it (one local user, no permissions)."""

    @web.authenticated
    def get(self):
        name = os.environ.get("USER") or "student"
        self.finish(json.dumps({
            "identity": {
                "username": name,
                "name": name,
                "display_name": name,
                "initials": name[:1].upper(),
                "avatar_url": None,
                "color": None,
            },
            "permissions": {},
        }))


class EventsHandler(websocket.WebSocketHandler):
    """/api/events/subscribe: a websocket that stays open and sends nothing (no server events in 1.x)."""

    def check_origin(self, origin):
        return self.application.settings.get("allow_origin") == "*" or super().check_origin(origin)

    def on_message(self, message):
        pass


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": GanSeminarLab}]


class GanSeminarLab(LabServerApp):
    name = __name__
    extension_url = "/lab"
    default_url = "/lab"
    load_other_extensions = False
    app_name = "JupyterLab"
    app_version = VERSION
    app_settings_dir = os.path.join(HERE, "app-settings")
    schemas_dir = os.path.join(BUILD, "schemas")
    static_dir = BUILD
    templates_dir = os.path.join(HERE, "templates")
    themes_dir = os.path.join(BUILD, "themes")
    user_settings_dir = os.path.join(STATE, "user-settings")
    workspaces_dir = os.path.join(STATE, "workspaces")

    def initialize_handlers(self):
        super().initialize_handlers()
        self.handlers.append(("/api/me", MeHandler))
        self.handlers.append(("/api/events/subscribe", EventsHandler))

    def initialize_settings(self):
        super().initialize_settings()
        self.serverapp.web_app.settings["terminals_available"] = False


if __name__ == "__main__":
    if not os.path.exists(os.path.join(BUILD, "bundle.js")):
        raise SystemExit(f"JupyterLab's app is not built: run `npm ci && npm run build` in {HERE}")
    GanSeminarLab.launch_instance()
