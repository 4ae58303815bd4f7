#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn patches/ and the overlay into the mails of a patch series.

series.py [--author "Name <email>"] ROOT BASE MANIFEST OUTDIR

ROOT is the repository, BASE the unmodified kernel tree, MANIFEST the list
of overlay files (build/src/.xip-rig-overlay, written by prepare-tree.sh).
scripts/series.map says which patches of patches/series and which overlay
files make each commit.  Every patch and every overlay file must be in
exactly one commit, in the order of patches/series; otherwise this prints
what to add where and exits 2.

OUTDIR gets NNNN-*.patch, one mail per commit as git format-patch writes
them (git am and git mailinfo read them), and 'files', every path the
series touches.  The state of the touched files after the last commit is
left in OUTDIR/tree, so that it can be compared with build/src.

With --author, From: and Signed-off-by: carry that identity instead of the
placeholder of the quilt headers.  Without it they keep the placeholder:
good for checks, never for mailing.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

MAP = "scripts/series.map"
PLACEHOLDER = "XIP kernel team <xip@example.invalid>"


class MapError(Exception):
    pass


def read_series(root):
    out = []
    with open(os.path.join(root, "patches/series")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                out.append(line)
    return out


def parse_map(root):
    """[{patch, line, files: [...], dirs: [...], kconfig: {file: [sym]}}]"""
    commits = []
    path = os.path.join(root, MAP)
    with open(path) as f:
        for n, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            words = line.split()
            if not raw[0].isspace():
                if words[0] != "commit" or len(words) != 2:
                    raise MapError("%s:%d: expected 'commit PATCH', got %r"
                                   % (MAP, n, line))
                commits.append({"patch": words[1], "line": n, "files": [],
                                "dirs": [], "kconfig": {}})
                continue
            if not commits:
                raise MapError("%s:%d: file before the first 'commit' line"
                               % (MAP, n))
            c = commits[-1]
            if words[0].endswith(":"):
                c["kconfig"].setdefault(words[0][:-1], []).extend(words[1:])
            elif len(words) != 1:
                raise MapError("%s:%d: one file per line (or 'KCONFIG: SYM...')"
                               % (MAP, n))
            elif words[0].endswith("/"):
                c["dirs"].append(words[0])
            else:
                c["files"].append(words[0])
    return commits


KCONFIG_ENTRY = re.compile(r"^(config|menuconfig)\s+(\w+)\s*$")


def split_kconfig(text, name):
    """(head, [(symbol, text)], tail): entries at top level of a menu file"""
    lines = text.splitlines(keepends=True)
    head, entries, tail = [], [], []
    for i, line in enumerate(lines):
        m = KCONFIG_ENTRY.match(line)
        if tail:
            tail.append(line)
        elif m:
            entries.append([m.group(2), line])
        elif line.startswith("endmenu"):
            tail.append(line)
        elif not entries:
            head.append(line)
        elif line[:1].isspace() or not line.strip() or line.startswith("#"):
            entries[-1][1] += line
        else:
            raise MapError("%s:%d: '%s' at top level: %s can only split "
                           "files made of config entries in one menu"
                           % (name, i + 1, line.strip(), MAP))
    return "".join(head), entries, "".join(tail)


def patch_files(text):
    """files a git-style patch touches: (path, is_new)"""
    out = []
    cur = None
    for line in text.splitlines():
        if line.startswith("--- "):
            cur = line[4:].split("\t")[0]
        elif line.startswith("+++ ") and cur is not None:
            new = line[4:].split("\t")[0]
            if new == "/dev/null":
                raise MapError("deleting files is not supported")
            out.append((new[2:], cur == "/dev/null"))
            cur = None
    return out


def parse_header(text, name):
    """(from, date, subject, body) of a quilt patch in git format-patch form"""
    head, sep, _ = text.partition("\n---\n")
    if not sep:
        raise MapError("patches/%s: no '---' line after the message" % name)
    hdr, _, body = head.partition("\n\n")
    fields = {}
    key = None
    for line in hdr.splitlines():
        if line.startswith("From ") and key is None:
            continue
        if line[:1].isspace() and key:
            fields[key] += " " + line.strip()
            continue
        key, _, val = line.partition(":")
        key = key.lower()
        fields[key] = val.strip()
    if "subject" not in fields:
        raise MapError("patches/%s: no Subject: header" % name)
    subj = re.sub(r"^\[PATCH[^\]]*\]\s*", "", fields["subject"])
    return fields.get("from", ""), fields.get("date", ""), subj, body.strip("\n")


def check_map(root, commits, series, manifest):
    errs = []
    have = {}
    for c in commits:
        have.setdefault(c["patch"], []).append(c["line"])
    for p, lines in have.items():
        if len(lines) > 1:
            errs.append("%s: patch %s is in %d commits (lines %s)"
                        % (MAP, p, len(lines), ", ".join(map(str, lines))))
        if p not in series:
            errs.append("%s:%d: %s is not in patches/series"
                        % (MAP, lines[0], p))
    for p in series:
        if p not in have:
            errs.append("patches/%s belongs to no commit: add a line\n"
                        "    commit %s\n  to %s where it goes in the "
                        "series (in the order of patches/series)" % (p, p, MAP))
    order = [c["patch"] for c in commits if c["patch"] in series]
    if [p for p in series if p in have] != order:
        errs.append("%s and patches/series list the patches in different "
                    "orders:\n    map:    %s\n    series: %s"
                    % (MAP, " ".join(order), " ".join(series)))
    owner = {}
    for c in commits:
        for f in c["files"] + list(c["kconfig"]):
            if f in owner:
                if f not in c["kconfig"] or f not in owner[f]["kconfig"]:
                    errs.append("%s: %s is in two commits (lines %d, %d)"
                                % (MAP, f, owner[f]["line"], c["line"]))
            else:
                owner[f] = c
            if f not in manifest:
                errs.append("%s:%d: %s is not an overlay file"
                            % (MAP, c["line"], f))
    for f in manifest:
        if f in owner:
            continue
        if any(f.startswith(d) for c in commits for d in c["dirs"]):
            continue
        errs.append("overlay file %s belongs to no commit: add the line\n"
                    "    \t%s\n  under the 'commit' line of the patch that "
                    "introduces it in %s" % (f, f, MAP))
    for c in commits:
        for d in c["dirs"]:
            if not any(f.startswith(d) for f in manifest):
                errs.append("%s:%d: no overlay file under %s"
                            % (MAP, c["line"], d))
    for kf in {k for c in commits for k in c["kconfig"]}:
        if kf not in manifest:
            continue
        with open(os.path.join(root, kf)) as fh:
            _, entries, _ = split_kconfig(fh.read(), kf)
        mapped = {}
        for c in commits:
            for s in c["kconfig"].get(kf, []):
                if s in mapped:
                    errs.append("%s:%d: %s %s is already in the commit of "
                                "line %d" % (MAP, c["line"], kf, s, mapped[s]))
                mapped[s] = c["line"]
        syms = [s for s, _ in entries]
        for s in syms:
            if s not in mapped:
                errs.append("%s: config %s belongs to no commit: add %s to "
                            "the '%s:' line of the commit that uses it in %s"
                            % (kf, s, s, kf, MAP))
        for s in mapped:
            if s not in syms:
                errs.append("%s:%d: %s has no config %s"
                            % (MAP, mapped[s], kf, s))
    if errs:
        raise MapError("\n".join(errs))


def file_diff(tmp, path, old, new):
    """git diff of one file: old/new are paths below tmp, or None"""
    a = old if old else "/dev/null"
    r = subprocess.run(["git", "diff", "--no-index", "--no-color",
                        "--src-prefix=a/", "--dst-prefix=b/", a, new],
                       cwd=tmp, capture_output=True, text=True)
    if r.returncode == 0:
        return ""
    if r.returncode != 1:
        raise MapError("git diff %s failed: %s" % (path, r.stderr))
    out = []
    for i, line in enumerate(r.stdout.splitlines(keepends=True)):
        if line.startswith("@@") or line.startswith("Binary"):
            out.extend(r.stdout.splitlines(keepends=True)[i:])
            break
        for pre in ("a/", "b/"):
            for p in (old, new):
                if p:
                    line = line.replace(pre + p, pre + path)
        out.append(line)
    return "".join(out)


def main(argv):
    author = None
    if len(argv) > 1 and argv[1] == "--author":
        author = argv[2]
        argv = argv[:1] + argv[3:]
        if not re.match(r"^[^<>]+ <[^<>@ ]+@[^<>@ ]+>$", author):
            raise MapError("author %r is not 'Name <email>'" % author)
    if len(argv) != 5:
        sys.exit(__doc__)
    root, base, manifest_path, outdir = argv[1:]
    with open(manifest_path) as f:
        manifest = [l.strip() for l in f if l.strip()]
    series = read_series(root)
    commits = parse_map(root)
    check_map(root, commits, series, manifest)
    commits = [c for c in commits if c["patch"] in series]

    shutil.rmtree(outdir, ignore_errors=True)
    tree = os.path.join(outdir, "tree")
    os.makedirs(tree)
    tmp = tempfile.mkdtemp(prefix="series.")
    touched = []
    kparts = {}
    try:
        for n, c in enumerate(commits, 1):
            with open(os.path.join(root, "patches", c["patch"])) as f:
                ptext = f.read()
            frm, date, subj, body = parse_header(ptext, c["patch"])
            changed = []
            oldd = os.path.join(tmp, "old")
            shutil.rmtree(oldd, ignore_errors=True)

            def snap(p):
                src = os.path.join(tree, p)
                if os.path.exists(src):
                    dst = os.path.join(oldd, p)
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    shutil.copy2(src, dst)
                changed.append(p)
                if p not in touched:
                    touched.append(p)

            for p, is_new in patch_files(ptext):
                dst = os.path.join(tree, p)
                if not os.path.exists(dst) and not is_new:
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    shutil.copy2(os.path.join(base, p), dst)
                snap(p)
            r = subprocess.run(["patch", "-d", tree, "-p1", "--fuzz=0",
                                "--batch", "--forward", "--no-backup-if-mismatch",
                                "-s", "-i", os.path.join(root, "patches",
                                                         c["patch"])],
                               capture_output=True, text=True)
            if r.returncode:
                raise MapError("patches/%s does not apply to the files of "
                               "the commits before it:\n%s"
                               % (c["patch"], r.stdout + r.stderr))
            files = list(c["files"])
            files += [f for f in manifest for d in c["dirs"] if f.startswith(d)]
            for p in files:
                snap(p)
                dst = os.path.join(tree, p)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(os.path.join(root, p), dst)
            for kf, syms in c["kconfig"].items():
                with open(os.path.join(root, kf)) as fh:
                    head, entries, tail = split_kconfig(fh.read(), kf)
                kparts.setdefault(kf, set()).update(syms)
                snap(kf)
                dst = os.path.join(tree, kf)
                os.makedirs(os.path.dirname(dst) or tree, exist_ok=True)
                with open(dst, "w") as fh:
                    fh.write(head + "".join(t for s, t in entries
                                            if s in kparts[kf]) + tail)
                shutil.copymode(os.path.join(root, kf), dst)

            diff = ""
            for p in changed:
                newd = os.path.join(tmp, "new", p)
                os.makedirs(os.path.dirname(newd), exist_ok=True)
                shutil.copy2(os.path.join(tree, p), newd)
                old = os.path.join("old", p)
                diff += file_diff(tmp, p,
                                  old if os.path.exists(os.path.join(tmp, old))
                                  else None, os.path.join("new", p))
            shutil.rmtree(os.path.join(tmp, "new"), ignore_errors=True)
            if not diff:
                raise MapError("commit %d (%s) changes nothing" % (n, c["patch"]))
            stat = subprocess.run(["git", "apply", "--stat", "-"], input=diff,
                                  capture_output=True, text=True).stdout

            lines = body.splitlines()
            if author:
                lines = [l for l in lines
                         if not l.startswith("Signed-off-by:")]
                while lines and not lines[-1].strip():
                    lines.pop()
                sob = "Signed-off-by: " + author
                lines.append(sob)
                frm = author
            msg = "\n".join(lines)
            if author:
                # the placeholder also stands for the maintainer (M:)
                diff = diff.replace(PLACEHOLDER, author)
            slug = re.sub(r"[^A-Za-z0-9]+", "-", subj).strip("-")[:52]
            slug = slug.rstrip("-")
            name = "%04d-%s.patch" % (n, slug)
            with open(os.path.join(outdir, name), "w") as f:
                f.write("From 0000000000000000000000000000000000000000 "
                        "Mon Sep 17 00:00:00 2001\n")
                f.write("From: %s\nDate: %s\nSubject: [PATCH] %s\n\n"
                        % (frm, date, subj))
                f.write(msg + "\n---\n" + stat + "\n" + diff + "-- \n"
                        "xip-rig\n\n")
        with open(os.path.join(outdir, "files"), "w") as f:
            f.write("".join(p + "\n" for p in sorted(touched)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except MapError as e:
        print("series: " + str(e).replace("\n", "\n  "), file=sys.stderr)
        sys.exit(2)
