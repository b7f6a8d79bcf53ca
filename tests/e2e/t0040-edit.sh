#!/bin/sh
# edit: through the user's editor; invalid results are kept, never committed.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	bestpractice init kb &&
	cd kb &&
	echo "Original body." | bestpractice add -t "A tip to edit" -s law -g reference &&
	cat >../append.sh <<-\EOF &&
	#!/bin/sh
	echo "An added line." >>"$1"
	EOF
	cat >../break.sh <<-\EOF &&
	#!/bin/sh
	sed -i "s/^tags: .*/tags: reference/" "$1"
	echo "Words I would hate to lose." >>"$1"
	EOF
	chmod +x ../append.sh ../break.sh
'

test_expect_success 'edit commits what the editor wrote' '
	EDITOR="$TRASH/append.sh" bestpractice edit law/a-tip-to-edit >out &&
	test_grep "edited law/a-tip-to-edit" out &&
	test_grep "^An added line.$" law/a-tip-to-edit.md &&
	test "$(git log -1 --format=%s)" = "edit law/a-tip-to-edit" &&
	test_grep "^updated: $(date +%Y-%m-%d)$" law/a-tip-to-edit.md &&
	test_clean
'

test_expect_success 'an unchanged file is not committed' '
	before=$(git rev-list --count HEAD) &&
	EDITOR=true bestpractice edit a-tip-to-edit >out &&
	test_grep "no changes" out &&
	test "$(git rev-list --count HEAD)" = "$before"
'

test_expect_success 'an invalid result is refused, and the text is saved' '
	before=$(git rev-list --count HEAD) &&
	cp law/a-tip-to-edit.md ../before.md &&
	EDITOR="$TRASH/break.sh" test_expect_code 2 bestpractice edit law/a-tip-to-edit 2>err &&
	test_grep "law/a-tip-to-edit.md:4: .tags. must be a list" err &&
	test "$(git rev-list --count HEAD)" = "$before" &&
	test_cmp ../before.md law/a-tip-to-edit.md &&
	saved=$(sed -n "s/.*your text is saved in \(.*\))$/\1/p" err) &&
	test_grep "Words I would hate to lose." "$saved"
'

test_expect_success 'edit of an unknown id is exit 2' '
	EDITOR=true test_expect_code 2 bestpractice edit law/none 2>err &&
	test_grep "no article" err
'

test_expect_success 'a failing editor changes nothing' '
	before=$(git rev-list --count HEAD) &&
	EDITOR=false test_expect_code 1 bestpractice edit law/a-tip-to-edit 2>err &&
	test_grep "editor" err &&
	test "$(git rev-list --count HEAD)" = "$before"
'

test_done
