import json

import networkx as nx
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from network import graph
from registry import lampau, replicas
from registry.management.areas import area_option
from registry.management.output import check_output, write_output


class Command(BaseCommand):
    help = (
        "The working network of the active groups within an area of any level: its figures as "
        "JSON (groups, partners, links, links between groups, isolated groups, components, "
        "density among groups, per type: groups, isolated, linked only to government; the "
        "groups that bridge most; the overlap network of shared members), or the graph itself "
        "as GraphML or GEXF (for Gephi). Standard output unless --output is given. --pada DATE: "
        "as the registry stood at that moment (groups, links, memberships from the audit "
        "history; partners and forums as they are)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wilayah", required=True, help="Area code, e.g. 32.77.01.1002.")
        parser.add_argument("--format", choices=["json", "graphml", "gexf"], default="json")
        parser.add_argument("--output", default=None, help="File to write (default: stdout).")
        parser.add_argument("--pada", default=None,
                            help="As the registry stood then: YYYY-MM-DD or YYYY-MM-DD HH:MM.")

    def handle(self, *args, **options):
        area = area_option(options["wilayah"])
        pada = None
        if options["pada"]:
            try:
                pada = lampau.as_of(lampau.parse_pada(options["pada"]))
            except ValueError as exc:
                raise CommandError(f"--pada {options['pada']}: {exc}") from exc
        if options["output"]:
            check_output(options["output"])  # refused before any work
        as_json = options["format"] == "json"
        (network, shared), _work = replicas.run(lambda: (
            graph.build(area, pada=pada), graph.overlap(area, pada=pada) if as_json else None))
        if options["format"] == "json":
            result = graph.figures(network)
            if pada is not None:
                result["pada"] = timezone.localtime(pada).isoformat(timespec="seconds")
            result["tumpang_tindih"] = {
                "hubungan": shared.graph.number_of_edges(),
                "orang_di_lebih_dari_satu_perkumpulan": shared.people,
            }
            text = json.dumps(result, ensure_ascii=False, indent=1) + "\n"
        else:
            write = nx.generate_graphml if options["format"] == "graphml" else nx.generate_gexf
            text = "\n".join(write(network)) + "\n"
        if options["output"]:
            write_output(options["output"], text)
            self.stderr.write(_("Written %(path)s.") % {"path": options["output"]})
        else:
            self.stdout.write(text, ending="")
