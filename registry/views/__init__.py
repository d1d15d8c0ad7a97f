"""The registry's pages, one module per page family: `perkumpulan` (the dashboard, the group
list, a group's page and form), `impor` (uploading, checking and confirming a survey workbook; the
blank workbook and an area's export), `rekap` (an area's recap)."""
