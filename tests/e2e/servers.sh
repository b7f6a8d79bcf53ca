# Real servers on loopback for the transport tests: git daemon (git://), lighttpd running
# git http-backend as CGI (smart HTTP), and sshd (ssh://). Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$TEST_ROOT/tests/e2e/servers.sh"   (lib.sh has left the script's folder)
#   start_git_daemon "$TRASH/served"      # sets GIT_DAEMON_PORT and GIT_DAEMON_URL
#
# Each server runs from the test's trash directory with its own configuration and log there,
# on a free port of 127.0.0.1 (a port someone took meanwhile is retried with another), and
# answers before its start function returns. Every server is stopped when the script ends,
# whether its cases passed or not (trap on EXIT and on the usual signals); each also runs
# under timeout(1), so that a test killed with SIGKILL cannot leave a server behind for long.

SERVERS_PIDS=
SERVER_LIFETIME=${SERVER_LIFETIME:-300}

stop_servers() {
	for pid in $SERVERS_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $SERVERS_PIDS; do
		wait "$pid" 2>/dev/null
	done
	SERVERS_PIDS=
}
trap 'stop_servers' EXIT
trap 'stop_servers; exit 129' HUP
trap 'stop_servers; exit 130' INT
trap 'stop_servers; exit 143' TERM

# port_answers PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_answers() {
	bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' port_answers "$1" 2>/dev/null
}

# free_port: a port of 127.0.0.1 that nothing listens on now, below Linux's ephemeral range
# so that no outgoing connection is likely to take it before the server binds it.
free_port() {
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		p=$((20000 + n % 12000))
		if ! port_answers "$p"; then
			echo "$p"
			return 0
		fi
	done
	say "no free port found on 127.0.0.1"
	return 1
}

# wait_for_server PID PORT: until the server started as PID answers on PORT (10 s at most).
# Fails at once when the server died, for example because the port was taken.
wait_for_server() {
	for _ in $(seq 200); do
		kill -0 "$1" 2>/dev/null || return 1
		if port_answers "$2"; then
			kill -0 "$1" 2>/dev/null && return 0
			return 1
		fi
		sleep 0.05
	done
	return 1
}

# run_server NAME LAUNCH: pick a free port and call the shell function LAUNCH with it; LAUNCH
# writes the server's configuration and starts it with `launch COMMAND...`. Then wait until
# the server answers. Sets SERVER_PORT and NAME_PID. A port someone took meanwhile is retried
# with another.
run_server() {
	server_name=$1
	for _ in 1 2 3 4 5; do
		SERVER_PORT=$(free_port) || return 1
		"$2" "$SERVER_PORT" || return 1
		pid=$!
		if wait_for_server "$pid" "$SERVER_PORT"; then
			SERVERS_PIDS="$SERVERS_PIDS $pid"
			eval "${server_name}_PID=$pid"
			return 0
		fi
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	say "$server_name did not start; its log:"
	cat "$TRASH/$server_name.log"
	return 1
}

# launch COMMAND...: start a server for run_server, its output in $TRASH/NAME.log.
launch() {
	timeout "$SERVER_LIFETIME" "$@" >"$TRASH/$server_name.log" 2>&1 </dev/null &
}

# stop_server NAME: stop one server before the end of the script (to make it unreachable).
stop_server() {
	eval "pid=\${${1}_PID:-}"
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	SERVERS_PIDS=$(echo " $SERVERS_PIDS " | sed "s/ $pid / /")
	eval "${1}_PID="
}

# --- git daemon -------------------------------------------------------------------------

launch_git_daemon() {
	launch git daemon --export-all --enable=receive-pack --reuseaddr --informative-errors \
		--base-path="$GIT_DAEMON_BASE" --listen=127.0.0.1 --port="$1"
}

# start_git_daemon BASE: git:// for every repository under BASE, pushes allowed.
# Sets GIT_DAEMON_PORT and GIT_DAEMON_URL (git://127.0.0.1:PORT; append /NAME.git).
start_git_daemon() {
	GIT_DAEMON_BASE=$1
	run_server git_daemon launch_git_daemon || return 1
	GIT_DAEMON_PORT=$SERVER_PORT
	GIT_DAEMON_URL=git://127.0.0.1:$SERVER_PORT
}

# --- lighttpd + git http-backend --------------------------------------------------------

HTTPD_DIR=$TRASH/httpd

LIGHTTPD=$(command -v lighttpd || echo /usr/sbin/lighttpd)

launch_httpd() {
	backend=$(git --exec-path)/git-http-backend
	cat >"$HTTPD_DIR/lighttpd.conf" <<EOF
server.modules = ("mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi")
server.bind = "127.0.0.1"
server.port = $1
server.document-root = "$HTTPD_DIR/htdocs"
server.errorlog = "$HTTPD_DIR/error.log"
server.upload-dirs = ("$HTTPD_DIR")
# /git/NAME.git: anyone may fetch; pushes as each repository's http.receivepack says.
# /private/NAME.git: the same repositories, for authenticated users only.
alias.url = ("/git/" => "$backend/", "/private/" => "$backend/")
\$HTTP["url"] =~ "^/(git|private)/" {
	cgi.assign = ("" => "")
	setenv.set-environment = ("GIT_PROJECT_ROOT" => "$HTTPD_BASE",
		"GIT_HTTP_EXPORT_ALL" => "1", "GIT_CONFIG_NOSYSTEM" => "1",
		"HOME" => "$HTTPD_DIR", "PATH" => "/usr/bin:/bin")
}
auth.backend = "plain"
auth.backend.plain.userfile = "$HTTPD_DIR/users"
\$HTTP["url"] =~ "^/private/" {
	auth.require = ("" => ("method" => "basic", "realm" => "bestpractice test",
		"require" => "valid-user"))
}
EOF
	if [ -n "${HTTPD_TLS_PEM:-}" ]; then
		cat >>"$HTTPD_DIR/lighttpd.conf" <<EOF
server.modules += ("mod_openssl")
ssl.engine = "enable"
ssl.pemfile = "$HTTPD_TLS_PEM"
EOF
	fi
	launch "$LIGHTTPD" -D -f "$HTTPD_DIR/lighttpd.conf"
}

# start_httpd BASE [USER:PASSWORD]: smart HTTP for every repository under BASE at
# http://127.0.0.1:PORT/git/NAME.git, and behind basic authentication for USER with PASSWORD
# at /private/NAME.git. Sets HTTPD_PORT and HTTPD_URL (http://127.0.0.1:PORT). With
# HTTPD_TLS_PEM set to a PEM file holding a certificate and its key, serves https instead
# (HTTPD_URL is then https://localhost:PORT, the name the certificate is expected to carry).
start_httpd() {
	HTTPD_BASE=$1
	mkdir -p "$HTTPD_DIR/htdocs" &&
	printf '%s\n' "${2:-nobody:nopassword}" >"$HTTPD_DIR/users" &&
	run_server httpd launch_httpd || return 1
	HTTPD_PORT=$SERVER_PORT
	if [ -n "${HTTPD_TLS_PEM:-}" ]; then
		HTTPD_URL=https://localhost:$SERVER_PORT
	else
		HTTPD_URL=http://127.0.0.1:$SERVER_PORT
	fi
}

# --- sshd -------------------------------------------------------------------------------

SSHD=/usr/sbin/sshd
SSHD_DIR=$TRASH/sshd

launch_sshd() {
	cat >"$SSHD_DIR/sshd_config" <<EOF
Port $1
ListenAddress 127.0.0.1
HostKey $SSHD_DIR/host_ed25519
PidFile none
AuthorizedKeysFile $SSHD_DIR/authorized_keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $SSH_USER
StrictModes no
UsePAM no
PrintMotd no
X11Forwarding no
AllowTcpForwarding no
SetEnv GIT_CONFIG_NOSYSTEM=1 HOME=$SSHD_DIR/home
LogLevel VERBOSE
EOF
	launch "$SSHD" -D -e -f "$SSHD_DIR/sshd_config"
}

# sshd_prereq: succeeds when sshd can be tried here; otherwise prints why not.
sshd_prereq() {
	if ! [ -x "$SSHD" ]; then
		echo "no $SSHD (install openssh-server)"
		return 1
	fi
	if ! command -v ssh-keygen >/dev/null || ! command -v ssh >/dev/null; then
		echo "no ssh or ssh-keygen (install openssh-client)"
		return 1
	fi
	# As root, sshd wants its privilege separation directory; as another user it runs
	# unprivileged, and lets that user only in.
	if [ "$(id -u)" -eq 0 ] && ! [ -d /run/sshd ] && ! mkdir -p -m 0755 /run/sshd; then
		echo "cannot create /run/sshd, which sshd needs when run as root"
		return 1
	fi
	return 0
}

# start_sshd: an sshd for the current user with an ed25519 host key, and an ed25519 key for
# the user in ~/.ssh (RSA fails with libssh2 1.10); the host goes to ~/.ssh/known_hosts.
# Sets SSHD_PORT, SSH_USER and SSH_URL (ssh://USER@127.0.0.1:PORT). When sshd runs but cannot
# log this user in (no login shell, ...), fails with SSHD_SKIP saying why.
start_sshd() {
	SSHD_SKIP=
	SSH_USER=$(id -un)
	mkdir -p "$SSHD_DIR/home" "$HOME/.ssh" &&
	chmod 700 "$HOME/.ssh" &&
	ssh-keygen -q -t ed25519 -N "" -C "test host" -f "$SSHD_DIR/host_ed25519" &&
	ssh-keygen -q -t ed25519 -N "" -C "test user" -f "$HOME/.ssh/id_ed25519" &&
	cp "$HOME/.ssh/id_ed25519.pub" "$SSHD_DIR/authorized_keys" &&
	run_server sshd launch_sshd || return 1
	SSHD_PORT=$SERVER_PORT
	SSH_URL=ssh://$SSH_USER@127.0.0.1:$SSHD_PORT
	printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(cut -d' ' -f1,2 "$SSHD_DIR/host_ed25519.pub")" \
		>"$HOME/.ssh/known_hosts"
	# OpenSSH's own client logs in, or the environment cannot serve this user.
	if ! ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes \
		-o UserKnownHostsFile="$HOME/.ssh/known_hosts" -i "$HOME/.ssh/id_ed25519" \
		-p "$SSHD_PORT" "$SSH_USER@127.0.0.1" true </dev/null >"$TRASH/ssh-probe.log" 2>&1; then
		why=$(grep -m 1 "not allowed\|Authentication refused\|shell" "$TRASH/sshd.log")
		SSHD_SKIP="sshd cannot log $SSH_USER in here: ${why:-$(tail -n 1 "$TRASH/ssh-probe.log")}"
		return 1
	fi
}
