#!/bin/sh
# sync over https: lighttpd with TLS on loopback, its certificate signed by a CA made for the
# test, which the system does not trust. Refused (naming the peer) until the user says to
# trust that CA, as for git: GIT_SSL_CAINFO or http.sslCAInfo. A certificate for another
# name, or one no given CA signed, stays refused.
. "$(dirname "$0")/lib.sh"
. "$TEST_ROOT/tests/e2e/servers.sh"

[ -x "$LIGHTTPD" ] || test_skip_all "no lighttpd (install it: scripts/install-deps)"
command -v openssl >/dev/null || test_skip_all "no openssl (install it: scripts/install-deps)"

# make_ca NAME: a self-signed CA, NAME.pem and NAME.key.
make_ca() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1 test CA" \
		-keyout "$1.key" -out "$1.pem" 2>>openssl.log
}

test_expect_success 'setup: a CA, a certificate it signed for localhost, lighttpd on https' '
	make_ca ca &&
	make_ca other &&
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
		-keyout server.key -out server.csr 2>>openssl.log &&
	printf "subjectAltName=DNS:localhost\n" >san.ext &&
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		-days 2 -extfile san.ext -out server.crt 2>>openssl.log &&
	cat server.crt server.key >server.pem &&
	mkdir served &&
	git init -q --bare served/hub.git &&
	git -C served/hub.git config http.receivepack true &&
	HTTPD_TLS_PEM=$TRASH/server.pem &&
	start_httpd "$TRASH/served" &&
	case "$HTTPD_URL" in https://localhost:*) ;; *) false ;; esac &&
	GIT_SSL_CAINFO=$TRASH/ca.pem git ls-remote "$HTTPD_URL/git/hub.git" >refs &&
	test_line_count = 0 refs
'

test_expect_success 'a host the system does not vouch for is refused, naming the peer' '
	bestpractice init a >/dev/null &&
	tip a "Weeding the reference shelf" law &&
	bestpractice --kb a peer add --shared origin "$HTTPD_URL/git/hub.git" >/dev/null &&
	test_expect_code 3 bestpractice --kb a sync >out 2>err &&
	test_grep "origin" err &&
	test_grep "could not be verified" err &&
	test_grep "sslCAInfo" err &&
	! git -C served/hub.git rev-parse --verify -q main
'

test_expect_success 'GIT_SSL_CAINFO naming the CA: the push goes through' '
	GIT_SSL_CAINFO=$TRASH/ca.pem bestpractice --kb a sync >out &&
	echo "origin: pushed" >expect &&
	test_cmp expect out &&
	test "$(git -C served/hub.git rev-parse main)" = "$(git -C a rev-parse HEAD)"
'

test_expect_success 'http.sslCAInfo in the KB'"'"'s git config does the same, both ways' '
	bestpractice init b >/dev/null &&
	cp ca.pem "$HOME/consortium-ca.pem" &&
	git -C b config http.sslCAInfo "~/consortium-ca.pem" &&
	bestpractice --kb b peer add --shared origin "$HTTPD_URL/git/hub.git" >/dev/null &&
	bestpractice --kb b sync >out &&
	test -f b/law/weeding-the-reference-shelf.md &&
	tip b "Story time for toddlers" school &&
	bestpractice --kb b sync >out &&
	test_grep "pushed" out &&
	test "$(git -C served/hub.git rev-parse main)" = "$(git -C b rev-parse HEAD)" &&
	bestpractice --kb b search toddlers >found &&
	test_grep "story-time-for-toddlers" found
'

test_expect_success 'a CA that did not sign the certificate does not make it trusted' '
	tip a "Routing journals" corporate &&
	test_expect_code 3 env GIT_SSL_CAINFO="$TRASH/other.pem" bestpractice --kb a sync >out 2>err &&
	test_grep "origin" err &&
	test_grep "could not be verified" err &&
	! git -C served/hub.git cat-file -e "$(git -C a rev-parse HEAD)"
'

test_expect_success 'a certificate for another name is refused even from the right CA' '
	port=${HTTPD_URL##*:} &&
	git -C a remote set-url origin "https://127.0.0.1:$port/git/hub.git" &&
	test_expect_code 3 env GIT_SSL_CAINFO="$TRASH/ca.pem" bestpractice --kb a sync >out 2>err &&
	test_grep "origin" err &&
	! git -C served/hub.git cat-file -e "$(git -C a rev-parse HEAD)" &&
	git -C a remote set-url origin "$HTTPD_URL/git/hub.git"
'

test_expect_success 'a CA file that is not there is named, nothing sent' '
	test_expect_code 3 env GIT_SSL_CAINFO="$TRASH/nowhere.pem" bestpractice --kb a sync >out 2>err &&
	test_grep "nowhere.pem" err &&
	test_grep "GIT_SSL_CAINFO" err &&
	! git -C served/hub.git cat-file -e "$(git -C a rev-parse HEAD)"
'

test_expect_success 'a file that holds no certificate is refused clearly' '
	echo "not a certificate" >junk.pem &&
	test_expect_code 3 env GIT_SSL_CAINFO="$TRASH/junk.pem" bestpractice --kb a sync >out 2>err &&
	test_grep "junk.pem" err &&
	! git -C served/hub.git cat-file -e "$(git -C a rev-parse HEAD)"
'

test_expect_success 'with the CA again, the tips written meanwhile are all shared' '
	GIT_SSL_CAINFO=$TRASH/ca.pem bestpractice --kb a sync >out &&
	test "$(git -C served/hub.git rev-parse main)" = "$(git -C a rev-parse HEAD)" &&
	test -f a/school/story-time-for-toddlers.md &&
	git -C served/hub.git show main:corporate/routing-journals.md >/dev/null
'

test_done
