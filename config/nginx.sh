#!/bin/sh
# nginx in front of proxyservice's uWSGI workers, as uwsgi.ini runs it:
#   nginx.sh render DIR ADDRESS SOCKET   config/nginx.conf -> DIR/nginx.conf, checked with nginx -t
#                                        (exec-asap: before uWSGI binds SOCKET; uWSGI stops if it fails)
#   nginx.sh run DIR                     nginx in the foreground with DIR as its prefix
#                                        (attach-daemon2: uWSGI's master supervises and stops it)
# DIR is uWSGI's private runtime folder (mktemp -d: mode 0700, under TMPDIR);
# ADDRESS is where clients connect (PROXYSERVICE_HTTP); SOCKET is the workers' UNIX socket.
# The largest body nginx accepts follows MAX_SOURCE_BYTES as the app's limit does
# (proxyservice/factory.py: MAX_SOURCE_BYTES + 1 MiB of multipart envelope).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# Debian puts nginx in /usr/sbin, which is not on an ordinary user's PATH.
nginx=$(command -v nginx || echo /usr/sbin/nginx)
DEFAULT_MAX_SOURCE_BYTES=52428800  # proxyservice.config.Settings.MAX_SOURCE_BYTES (a test keeps them equal)
UPLOAD_OVERHEAD_BYTES=1048576      # proxyservice.factory.UPLOAD_OVERHEAD_BYTES

fail() { echo "nginx.sh: $*" >&2; exit 1; }

private_folder() {
  case $1 in
    /*) ;;
    *) fail "the runtime folder '$1' is not an absolute path (is TMPDIR writable?)" ;;
  esac
  case $1 in
    *[!A-Za-z0-9._/-]*) fail "the runtime folder '$1' has characters other than letters, digits and ._-/ (set TMPDIR)" ;;
  esac
  [ -d "$1" ] && [ -O "$1" ] && [ "$(stat -c %a "$1")" = 700 ] \
    || fail "'$1' is not a folder of this user's own with mode 0700 (mktemp -d makes one)"
}

render() {
  dir=$1 address=$2 socket=$3
  private_folder "$dir"
  [ -x "$nginx" ] || fail "nginx is not installed (Debian: apt-get install nginx; config/install.sh does)"
  case $address in
    :*) address="*$address" ;;  # uWSGI's ":8000" (every interface) is nginx's "*:8000"
  esac
  case $address in
    '' | *[!A-Za-z0-9.:*\[\]-]*) fail "PROXYSERVICE_HTTP='$2' is not host:port" ;;
  esac
  case $socket in
    "$dir"/*) ;;
    *) fail "the workers' socket '$socket' is not in the runtime folder $dir" ;;
  esac
  case ${socket#"$dir"/} in
    '' | *[!A-Za-z0-9._-]*) fail "the workers' socket '$socket' is not a plain file name in $dir" ;;
  esac
  # A UNIX socket's path has at most 107 bytes.
  [ ${#socket} -le 107 ] || fail "the socket path '$socket' is too long for a UNIX socket (set a shorter TMPDIR)"
  max_source=${MAX_SOURCE_BYTES:-$DEFAULT_MAX_SOURCE_BYTES}
  case $max_source in
    '' | *[!0-9]*) fail "MAX_SOURCE_BYTES='$max_source': nginx's body limit needs a whole number of bytes, digits only" ;;
  esac
  max_body=$((max_source + UPLOAD_OVERHEAD_BYTES))
  # nginx's workers run as the user who runs uWSGI (only they may enter the
  # runtime folder). Started as root, nginx would switch them to nobody: keep root,
  # as uWSGI's own workers are root then too. Run it as an unprivileged user (the image does).
  user=""
  [ "$(id -u)" -ne 0 ] || user="user root;"
  sed -e "s|@LISTEN@|$address|g" -e "s|@SOCKET@|$socket|g" -e "s|@MAX_BODY@|$max_body|g" -e "s|@CONFIG@|$here|g" \
      -e "s|@USER@|$user|g" "$here/nginx.conf" > "$dir/nginx.conf"
  "$nginx" -t -q -p "$dir/" -c nginx.conf -e stderr
}

run() {
  dir=$1
  private_folder "$dir"
  [ -f "$dir/nginx.conf" ] || fail "no $dir/nginx.conf: render it first"
  # uWSGI has its daemons killed (SIGKILL) when its master dies; nginx's
  # workers would outlive a killed nginx master and keep the port. SIGTERM
  # instead lets the master stop them: setpriv (util-linux) sets that signal.
  if command -v setpriv >/dev/null; then
    exec setpriv --pdeathsig TERM -- "$nginx" -p "$dir/" -c nginx.conf -e stderr
  fi
  exec "$nginx" -p "$dir/" -c nginx.conf -e stderr
}

case ${1:-} in
  render) [ $# -eq 4 ] || fail "usage: nginx.sh render DIR ADDRESS SOCKET"; render "$2" "$3" "$4" ;;
  run) [ $# -eq 2 ] || fail "usage: nginx.sh run DIR"; run "$2" ;;
  *) fail "usage: nginx.sh render DIR ADDRESS SOCKET | nginx.sh run DIR" ;;
esac
