"""siem2graph dashboard: routes to the pages (run with `streamlit run app.py`)."""

import streamlit as st

from ui.audits import follow_link
from ui.nav import PAGES, SOURCES
from ui.sessions import watch
from ui.signin import gate

# An emoji icon is drawn in the page; a :material/ one would be fetched from a public host.
st.set_page_config(page_title="siem2graph", page_icon="🔀", layout="wide")
watch()  # a closed session's report and uploads are let go after the TTL
gate()
with st.container():  # what opening a link shows for one run never moves the page below it
    follow_link()
st.navigation(
    [
        st.Page(page.path, title=page.title, icon=page.icon, default=page == SOURCES)
        for page in PAGES
    ]
).run()
