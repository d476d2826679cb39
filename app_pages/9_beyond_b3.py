import ui
from core import derivation
from core.gradients import both_ways
from core.latex import fmt, pmatrix
from core.network import Params, forward
from drawing import slides
from drawing.i18n import t

view, point, lang = ui.current(__file__)
params = Params(b3=view.b3)
fwd = forward(point.petal, point.sepal, params)
probs = fwd.probs

ui.equations(
    *slides.equations("beyond_b3", view),
    rf"\text{{{t('rows_c', lang)}}}:\quad \frac{{d\,CE_c}}{{d\,Raw_k}} = "
    + derivation.latex(derivation.ce_gradient_matrix()),
    above=ui.markdown_text(
        ui.heading_text(t("page_beyond", lang), t("beyond_intro", lang)),
        ui.heading_text(t("vector_form", lang), level=3),
    ),
)

jacobian = derivation.softmax_jacobian()
ui.equations(
    r"\frac{\partial P_i}{\partial Raw_j} = " + derivation.latex(jacobian),
    "= " + pmatrix(derivation.evaluate_matrix(jacobian, probs)),
    above=ui.heading_text(t("jacobian_title", lang), level=3),
    below=ui.heading_text(t("all_gradients_title", lang), level=3),
)

exact, numeric = both_ways(point.petal, point.sepal, point.observed, params)
(gradients,) = slides.charts("beyond_b3", view)
ui.chart(gradients, view)
ui.table(
    [
        {
            t("parameter", lang): name,
            t("value", lang): f"{getattr(params, name):g}",
            t("backprop", lang): fmt(exact[name], 6),
            t("finite_difference", lang): fmt(numeric[name], 6),
            "|Δ|": f"{abs(exact[name] - numeric[name]):.1e}",
        }
        for name in exact
    ],
    below=ui.caption_text(t("all_gradients_caption", lang)),
)
