"""Django's database sessions, each request's session read with one plain SQL statement: every
signed-in page reads its session first, and building that query through the ORM cost 0.2 ms where
running it costs 0.03 (a twentieth of the group list's time). Writing, expiry and clearing are
Django's own."""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        session_key = self.session_key
        if session_key is None:  # no key, or one Django's own check refused
            return None
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        sql = "SELECT {data} FROM {table} WHERE {key} = %s AND {expiry} > %s".format(
            data=connection.ops.quote_name("session_data"),
            table=connection.ops.quote_name(model._meta.db_table),
            key=connection.ops.quote_name("session_key"),
            expiry=connection.ops.quote_name("expire_date"),
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=session_key, session_data=row[0])
