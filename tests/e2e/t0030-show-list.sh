#!/bin/sh
# show and list: reading the KB, filtered, as text and as JSON Lines.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	bestpractice init kb &&
	cd kb &&
	cat >../a.md <<-\EOF &&
	---
	title: Weeding by usage and condition
	sector: public
	tags: [weeding, collection-development]
	author: Ada Smith <ada@example.org>
	created: 2020-05-01
	---
	## Why

	Weed **often**, a shelf at a time. See [CREW](https://example.org/crew).

	* usage
	* condition
	EOF
	bestpractice add --file ../a.md &&
	echo "Pull superseded looseleaf." | bestpractice add -t "Cancelling looseleaf" -s law -g weeding &&
	echo "Body." | bestpractice add -t "Deaccessioning with care" -s museum
'

test_expect_success 'list shows every id and title, sorted' '
	bestpractice list >out &&
	cat >expect <<-\EOF &&
	law/cancelling-looseleaf            Cancelling looseleaf
	museum/deaccessioning-with-care     Deaccessioning with care
	public/weeding-by-usage-and-condition  Weeding by usage and condition
	EOF
	sed "s/  */ /g" expect >expect.1 && sed "s/  */ /g" out >out.1 &&
	test_cmp expect.1 out.1
'

test_expect_success 'list --sector and --tag filter' '
	bestpractice list --sector law >out &&
	test_line_count = 1 out &&
	test_grep "^law/cancelling-looseleaf" out &&
	bestpractice list --tag weeding >out &&
	test_line_count = 2 out &&
	bestpractice list -s law -s museum >out &&
	test_line_count = 2 out
'

test_expect_success 'list exits 1 when nothing matches' '
	test_expect_code 1 bestpractice list --sector nowhere >out &&
	test_line_count = 0 out
'

test_expect_success 'list --json prints one JSON object per line' '
	bestpractice list --json >out &&
	test_line_count = 3 out &&
	jq -e -s "length == 3" out &&
	jq -e -s "map(select(.id == \"public/weeding-by-usage-and-condition\"))[0] |
		.title == \"Weeding by usage and condition\" and .sector == \"public\" and
		.tags == [\"weeding\", \"collection-development\"] and
		.author == \"Ada Smith <ada@example.org>\" and .source == null" out
'

test_expect_success 'show in a pipe renders the article without escape sequences' '
	bestpractice show public/weeding-by-usage-and-condition >out &&
	test_grep "Weeding by usage and condition" out &&
	test_grep "Weed often, a shelf at a time" out &&
	test_grep "CREW <https://example.org/crew>" out &&
	test_grep -v "\*\*" out &&
	! grep -q "$(printf "\033")" out
'

test_expect_success 'show --raw prints the file as it is' '
	bestpractice show --raw public/weeding-by-usage-and-condition >out &&
	test_cmp public/weeding-by-usage-and-condition.md out
'

test_expect_success 'show takes a bare slug, and a path with .md' '
	bestpractice show --raw weeding-by-usage-and-condition >out &&
	test_cmp public/weeding-by-usage-and-condition.md out &&
	bestpractice show --raw public/weeding-by-usage-and-condition.md >out &&
	test_cmp public/weeding-by-usage-and-condition.md out
'

test_expect_success 'show --json has the fields and the text' '
	bestpractice show --json law/cancelling-looseleaf >out &&
	jq -e ".id == \"law/cancelling-looseleaf\" and (.text | contains(\"superseded\"))" out
'

test_expect_success 'show of an unknown id is exit 2' '
	test_expect_code 2 bestpractice show law/nothing-here 2>err &&
	test_grep "no article .law/nothing-here." err
'

test_expect_success 'control characters in a title are escaped in every listing' '
	printf -- "---\ntitle: \"Evil \\\\e[31mred\\\\e[0m title\"\nsector: law\n---\nx\n" >law/evil.md &&
	bestpractice list >out &&
	! grep -q "$(printf "\033")" out &&
	test_grep "^law/evil  *Evil" out &&
	bestpractice show law/evil >out &&
	! grep -q "$(printf "\033")" out &&
	rm law/evil.md
'

test_expect_success 'a hand edit is seen by the next list, with no command between' '
	make_article medical/hand-made.md "Made by hand" medical &&
	bestpractice list --sector medical >out &&
	test_grep "medical/hand-made" out &&
	rm medical/hand-made.md &&
	test_expect_code 1 bestpractice list --sector medical
'

test_done
