import ui
from drawing.i18n import t
from ui import checking

view, point, lang = ui.current(__file__)

ui.heading(t("page_check", lang), t("check_intro", lang))
checking.panel(view, point, lang)
