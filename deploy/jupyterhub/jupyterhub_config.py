"""JupyterHub for the course: PAM logins of local Unix users, each with their own server.

Installed next to ``hub.json`` (its settings) by ``deploy/jupyterhub/install.py``; run as root:
``PREFIX/env/bin/jupyterhub -f PREFIX/jupyterhub_config.py``. JupyterHub's own
LocalProcessSpawner starts ``jupyterhub-singleuser`` from the course environment as the user,
in their home. Students get the Assignment List and Validate; the formgrader, Create Assignment
and the course list are turned off and locked for them (``config/student``). The
``seal-submissions`` service (root) makes each submission in nbgrader's exchange read-only and
gives it a trusted timestamp.
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
settings = json.loads((HERE / "hub.json").read_text())
state = Path(settings["state"])
env = Path(settings["env"])
config = Path(settings["config"])
instructors = set(settings["instructors"])
students = set(settings["students"])

c = get_config()  # noqa: F821 (provided by traitlets when JupyterHub loads this file)

# loopback only; behind an institution's HTTPS proxy in a real class (README, "The course on JupyterHub")
c.JupyterHub.ip = settings["ip"]
c.JupyterHub.port = settings["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [settings["proxy"]]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

# the machine's accounts (PAM); only the course's users may log in
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = instructors | students
# no admin users: JupyterHub's admin role may open every user's server (the instructor needs none of it)
c.PAMAuthenticator.open_sessions = False  # no systemd-logind session per server (containers have none)

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(env / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.environment = {
    # the course environment first: its python is the kernel, its nbgrader the terminal's
    "PATH": f"{env / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    **({"COURSE_FAST": "1"} if settings["fast"] else {}),
}


def per_role_config(spawner):
    """Students read config/student first (instructor panels locked), everyone config/common."""
    paths = [config / "common"]
    if spawner.user.name not in instructors:
        paths.insert(0, config / "student")
    spawner.environment = {**spawner.environment, "JUPYTER_CONFIG_PATH": ":".join(map(str, paths))}


c.Spawner.pre_spawn_hook = per_role_config

c.JupyterHub.services = [{
    "name": "seal-submissions",
    "command": [str(env / "bin" / "python"), str(HERE / "seal_submissions.py"),
                "--inbound", str(Path(settings["exchange"]) / settings["course_id"] / "inbound")],
}]

# A real class also stops idle servers (README): pip install jupyterhub-idle-culler, then
# c.JupyterHub.services.append({"name": "idle-culler",
#                               "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600"]})
# c.JupyterHub.load_roles = [{"name": "idle-culler", "services": ["idle-culler"],
#                             "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}]
