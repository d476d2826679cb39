"""Every string a user reads, in English and Chinese (zh-CN)."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    # app and sidebar
    "app_title": ("SoftMax + Cross Entropy, derived by hand", "SoftMax + 交叉熵 手推"),
    "sidebar_flower": ("Flower", "花"),
    "sidebar_b3": ("Output bias b3 (setosa)", "输出偏置 b3（山鸢尾）"),
    "sidebar_lang": ("Language", "语言"),
    "sidebar_petal": ("Petal width (scaled 0-1)", "花瓣宽度（缩放到 0-1）"),
    "sidebar_sepal": ("Sepal width (scaled 0-1)", "花萼宽度（缩放到 0-1）"),
    "sidebar_observed": ("Observed species", "观察到的品种"),
    "sidebar_iris_number": ("Iris flower number (1-150)", "鸢尾花编号（1-150）"),
    "sidebar_link": ("Link to this view:", "本视图的链接："),
    "sidebar_present": ("Presentation mode", "演示模式"),
    "present_exit": ("Exit (Esc)", "退出（Esc）"),
    "present_keys": (
        "keys ← → or Page Up/Down",
        "按键 ← → 或 Page Up/Down",
    ),
    "present_position": ("{n} / {total}", "{n} / {total}"),
    "flower_setosa": ("Training flower: setosa", "训练样本：山鸢尾"),
    "flower_versicolor": ("Training flower: versicolor", "训练样本：变色鸢尾"),
    "flower_virginica": ("Training flower: virginica", "训练样本：维吉尼亚鸢尾"),
    "flower_iris": ("Any Iris flower", "任意一朵鸢尾花"),
    "flower_custom": ("Free sliders", "自由滑块"),
    "species_setosa": ("setosa", "山鸢尾 setosa"),
    "species_versicolor": ("versicolor", "变色鸢尾 versicolor"),
    "species_virginica": ("virginica", "维吉尼亚鸢尾 virginica"),
    "short_setosa": ("setosa", "山鸢尾"),
    "short_versicolor": ("versicolor", "变色鸢尾"),
    "short_virginica": ("virginica", "维吉尼亚鸢尾"),
    "note_b3": (
        "The link's b3 was not a number between -5 and 5, so b3 = -2 is used.",
        "链接中的 b3 不是 -5 到 5 之间的数，已改用 b3 = -2。",
    ),
    "note_flower": (
        "The link named a flower that does not exist, so the setosa training flower is used.",
        "链接中的花不存在，已改用训练样本山鸢尾。",
    ),
    "note_lang": (
        "The link's language is not en or zh, so English is used.",
        "链接中的语言不是 en 或 zh，已改用英文。",
    ),
    "note_petal": (
        "The link's petal width was not in 0-1, so 0.5 is used.",
        "链接中的花瓣宽度不在 0-1 之间，已改用 0.5。",
    ),
    "note_sepal": (
        "The link's sepal width was not in 0-1, so 0.5 is used.",
        "链接中的花萼宽度不在 0-1 之间，已改用 0.5。",
    ),
    "note_observed": (
        "The link's observed species is unknown, so setosa is used.",
        "链接中的观察品种未知，已改用山鸢尾。",
    ),
    # the graph's node names (math names such as Raw_ve and P_se read the same in both)
    "node_petal": ("petal", "花瓣"),
    "node_sepal": ("sepal", "花萼"),
    "node_top": ("top ReLU", "上 ReLU"),
    "node_bottom": ("bottom ReLU", "下 ReLU"),
    # blue, orange and green are the hand derivation's names (green = blue + orange + b3), as in its
    # equations: one name in both languages, the node's colour says the rest
    "node_blue": ("blue", "blue"),
    "node_orange": ("orange", "orange"),
    "node_green": ("green", "green"),
    "note_rate": (
        "The link's learning rate was not between 0.05 and 3, so 1 is used.",
        "链接中的学习率不在 0.05 到 3 之间，已改用 1。",
    ),
    "note_steps": (
        "The link's number of steps was not a whole number from 0 to 30, so 8 is used.",
        "链接中的步数不是 0 到 30 之间的整数，已改用 8。",
    ),
    "note_shift": (
        "The link's shift c was not between -1000 and 1000, so 0 is used.",
        "链接中的平移 c 不在 -1000 到 1000 之间，已改用 0。",
    ),
    "note_source": (
        "The link's gradient source is not se, vi, ve or total, so total is used.",
        "链接中的梯度起点不是 se、vi、ve 或 total，已改用 total。",
    ),
    "note_present": (
        "The link's present is not 1 or 0, so presentation mode is off.",
        "链接中的 present 不是 1 或 0，演示模式已关闭。",
    ),
    "note_tab": (
        "The link's CE is not vi or ve, so CE_vi is shown.",
        "链接中的交叉熵不是 vi 或 ve，已显示 CE_vi。",
    ),
    "note_page": (
        "There is no page at that address, so the nearest page is shown.",
        "该地址没有对应的页面，已显示最接近的页面。",
    ),
    "note_class_code": (
        "The link's class code is not a class code, so you are not in a class.",
        "链接中的课堂代码无效，你没有加入课堂。",
    ),
    # class mode
    "page_class": ("Class", "课堂"),
    "class_intro": (
        "A teacher starts a class here and shares its link or QR code. Students stay anonymous: each gets a random nickname, and for each answer checked on page 8 the app keeps only what the checker read and its verdict, never a name. A class ends when the teacher ends it, or 3 hours after its dashboard was last open, and all its answers are then deleted.",
        "教师在这里开始一节课并分享链接或二维码。学生保持匿名：每人得到一个随机昵称；对第 8 页检查的每个答案，应用只保存检查器读到的内容及其判定，从不保存姓名。教师结束课堂，或仪表板最后一次打开 3 小时后，课堂结束，其全部答案随即删除。",
    ),
    "class_start": ("Start a class", "开始一节课"),
    "class_join_label": ("Student: the class code", "学生：课堂代码"),
    "class_join": ("Join", "加入"),
    "class_key_label": ("Teacher: your teacher link or key", "教师：你的教师链接或密钥"),
    "class_open": ("Open the dashboard", "打开仪表板"),
    "class_in": (
        "You are in class **{code}** as **{nickname}**. Your answers on page 8 go to your teacher, without your name.",
        "你以 **{nickname}** 的身份在课堂 **{code}** 中。你在第 8 页的答案会匿名发送给老师。",
    ),
    "class_waiting_list": (
        "You are on the list of class **{code}** as **{nickname}**, waiting for your teacher to let you in. "
        "Tell your teacher your nickname; this page joins by itself once you are in.",
        "你以 **{nickname}** 的身份在课堂 **{code}** 的等候名单上，等待老师让你加入。"
        "请把你的昵称告诉老师；老师让你加入后，本页会自动加入。",
    ),
    "class_let_in_now": ("You are in class {code} now.", "你已加入课堂 {code}。"),
    "class_removed": (
        "Your teacher took this browser out of the class. Ask your teacher if that was a mistake.",
        "老师已将这个浏览器移出课堂。如果弄错了，请询问老师。",
    ),
    "class_class_full": (
        "This class cannot take more students right now. Ask your teacher.",
        "这节课现在无法再接收学生。请询问老师。",
    ),
    "class_dismiss": ("OK", "知道了"),
    "class_leave": ("Leave the class", "退出课堂"),
    "class_unknown": (
        "No class with that code is running: it has ended, or the code is mistyped.",
        "没有使用这个代码的课堂：它已结束，或代码输错了。",
    ),
    "class_busy": (
        "Too many wrong class codes were typed on your network just now. Open your teacher's link or scan "
        "the QR code instead: they always work. Or try the code again in a minute.",
        "刚才你的网络上输入了太多错误的课堂代码。请改用老师的链接或扫描二维码：它们总是有效。或一分钟后再输入代码。",
    ),
    "class_old_link": (
        "That class has ended: its link no longer works. Ask your teacher for the new one.",
        "这节课已结束：它的链接不再有效。请向老师要新的链接。",
    ),
    "class_no_browser": (
        "Reload the page to join the class.",
        "请重新加载页面以加入课堂。",
    ),
    "class_not_joined": (
        "Not sent: you are not in this class any more. Open the class link again.",
        "没有发送：你已不在这节课中。请重新打开课堂链接。",
    ),
    "class_network_classes": (
        "Your network runs as many classes as it may at once. End one on its dashboard; a class also ends "
        "3 hours after its dashboard was last open.",
        "你的网络同时进行的课堂已达上限。请在某节课的仪表板上结束它；仪表板最后一次打开 3 小时后，课堂也会自动结束。",
    ),
    "class_browser_classes": (
        "This browser runs as many classes as one teacher may at once. End one on its dashboard first.",
        "这个浏览器同时进行的课堂已达一位老师的上限。请先在某节课的仪表板上结束一节。",
    ),
    "class_starts": (
        "Many classes were started on your network just now. Try again in two minutes.",
        "你的网络刚才开始了很多节课。请两分钟后再试。",
    ),
    "class_waiting": (
        "Your answer is kept and goes to the class as soon as the database is back; no need to type it again.",
        "你的答案已保留，数据库恢复后会自动发送到课堂，无需重新输入。",
    ),
    "class_ended": ("Your class has ended: this answer was not sent.", "你的课堂已结束：这个答案没有发送。"),
    "class_gone": ("Class {code} has ended.", "课堂 {code} 已结束。"),
    "class_student_rate": (
        "Not sent to your class: at most 20 answers a minute. Think it through, then try again.",
        "没有发送到课堂：每分钟最多 20 个答案。想清楚再试。",
    ),
    "class_class_rate": (
        "Not sent to your class: the class is sending too many answers right now. Try again in a minute.",
        "没有发送到课堂：全班此刻发送的答案太多。请一分钟后再试。",
    ),
    "class_student_full": (
        "Not sent: you have sent this class as many answers as it keeps from one student.",
        "没有发送：你发送到这节课的答案已达到每名学生的上限。",
    ),
    "class_too_long": (
        "Not sent to your class: the answer is too long to store.",
        "没有发送到课堂：答案太长，无法保存。",
    ),
    "class_database": (
        "The class database cannot be reached right now; the rest of the app works.",
        "暂时无法连接课堂数据库；应用的其余部分照常工作。",
    ),
    "class_sent": ("Sent to class {code}, without your name.", "已匿名发送到课堂 {code}。"),
    "class_go": ("Your teacher asks everyone to go to **{page}**.", "老师请大家前往 **{page}**。"),
    "class_not_now": ("Not now", "稍后"),
    "class_started": ("Class **{code}** has started.", "课堂 **{code}** 已开始。"),
    "class_student_link": (
        "Students: scan the QR code, open the link, or type the code on the Class page",
        "学生：扫描二维码、打开链接，或在“课堂”页输入代码",
    ),
    "class_teacher_link": (
        "Your teacher link: save it now. It is shown only once, it is the only way back to this dashboard, and anyone who has it sees the class.",
        "你的教师链接：请现在保存。它只显示这一次，是回到这个仪表板的唯一途径，任何拿到它的人都能看到课堂。",
    ),
    "class_saved": ("I have saved it", "我已保存"),
    "class_no_dashboard": (
        "That teacher link opens no class: it is wrong, or the class has ended.",
        "这个教师链接打不开任何课堂：链接有误，或课堂已结束。",
    ),
    "class_header": ("Class {code}", "课堂 {code}"),
    "class_students": ("{n} students have answered", "{n} 名学生已作答"),
    "class_students_one": ("1 student has answered", "1 名学生已作答"),
    "class_chart_title": ("Each student's latest answer, per step", "每名学生在每一步的最新答案"),
    "class_axis": ("students", "学生人数"),
    "class_right": ("right", "正确"),
    "class_answered": ("answered", "已作答"),
    "slip_sign": ("sign slip", "符号错误"),
    "slip_factor": ("factor missing or extra", "因子多或少"),
    "slip_reciprocal": ("upside down", "分子分母颠倒"),
    "slip_other": ("other", "其他"),
    "class_wrong_title": ("Wrong answers", "错误答案"),
    "class_wrong_count": ("{n} students · {slip}", "{n} 名学生 · {slip}"),
    "class_wrong_count_one": ("1 student · {slip}", "1 名学生 · {slip}"),
    "class_no_answers": ("No answers yet: students answer on page 8.", "还没有答案：学生在第 8 页作答。"),
    "class_point": ("Point the class at a page", "让全班前往某一页"),
    "class_point_send": ("Send", "发送"),
    "class_point_clear": ("Stop pointing", "取消指向"),
    "class_pointed": ("The class is pointed at {page}.", "全班正被指向 {page}。"),
    "class_end": ("End the class", "结束课堂"),
    "class_end_confirm": (
        "Ending the class deletes all its answers, and the students' link stops working.",
        "结束课堂会删除它的全部答案，学生链接也将失效。",
    ),
    "class_end_yes": ("End it and delete the answers", "结束并删除答案"),
    "class_ended_teacher": ("The class has ended and its answers are deleted.", "课堂已结束，答案已删除。"),
    "class_hide": ("Hide", "隐藏"),
    "class_show_hidden": ("Show the {n} hidden answers", "显示 {n} 个已隐藏的答案"),
    "class_show_hidden_one": ("Show the hidden answer", "显示已隐藏的答案"),
    "class_per_network": ("Students from one network", "同一网络的学生人数上限"),
    "class_per_network_help": (
        "A class counts at most this many students from one network, so that one machine cannot pose "
        "as a class. Raise it for a lab or a school where everyone shares one network.",
        "一节课最多计入来自同一网络的这么多名学生，以免一台机器冒充全班。在所有人共用一个网络的机房或学校，请提高它。",
    ),
    "class_waiting_joins": (
        "{n} students wait to be let in. Under **Students** below, let in those your class names.",
        "{n} 名学生在等待加入。请在下方的 **学生** 中，让你班上报出昵称的学生加入。",
    ),
    "class_waiting_joins_one": (
        "1 student waits to be let in. Under **Students** below, let them in if your class names them.",
        "1 名学生在等待加入。如果是你班上报出的昵称，请在下方的 **学生** 中让其加入。",
    ),
    "class_roster": ("Students ({n} in, {w} waiting)", "学生（{n} 人在课堂，{w} 人等待）"),
    "class_roster_help": (
        "Each browser's nickname, as its student sees it. Shown only here, not on the dashboard.",
        "每个浏览器的昵称，与学生看到的一样。只显示在这里，不显示在仪表板上。",
    ),
    "class_roster_answers": ("{nickname} · {n} answers", "{nickname} · {n} 个答案"),
    "class_let_in": ("Let in", "让其加入"),
    "class_let_all_in": ("Let everyone waiting in", "让所有等待者加入"),
    "class_remove": ("Remove", "移出"),
    "class_lock": ("Lock joining", "锁定加入"),
    "class_lock_help": (
        "Once your class is in: anyone else who opens the link waits on the list until you let them in.",
        "全班加入后锁定：之后打开链接的人都要在名单上等待，直到你让其加入。",
    ),
    "class_singles": ("Wrong answers only one student gave ({n})", "只有一名学生给出的错误答案（{n}）"),
    "class_singles_help": (
        "The dashboard lists a wrong answer once two students gave it. Show one here to put it there now.",
        "错误答案有两名学生给出后才会列在仪表板上。在这里点“显示”可以立即把它放上去。",
    ),
    "class_reveal": ("Show", "显示"),
    "class_new_round": ("New round", "新一轮"),
    "class_new_round_confirm": (
        "Delete every answer of this class, keeping its students in, for a new round of questions?",
        "删除这节课的全部答案（学生仍留在课堂中），开始新一轮提问？",
    ),
    "class_new_round_yes": ("Delete the answers", "删除答案"),
    "class_export": ("Export", "导出"),
    "class_export_answers": ("Answers (CSV)", "答案（CSV）"),
    "class_export_summary": ("Summary per step (CSV)", "每步汇总（CSV）"),
    "class_joined": ("{n} joined", "{n} 人已加入"),
    "class_refresh": ("Updates by itself every {s} s.", "每 {s} 秒自动更新。"),
    "note_class_ticket": (
        "The link's join ticket is not valid: the class code is tried as if it were typed.",
        "链接中的加入凭证无效：课堂代码将按手动输入处理。",
    ),
    "csv_time": ("time (UTC)", "时间（UTC）"),
    "csv_student": ("student", "学生"),
    "csv_step": ("step", "步骤"),
    "csv_answer": ("answer (LaTeX)", "答案（LaTeX）"),
    "csv_verdict": ("verdict", "判定"),
    "csv_answered": ("students answered", "作答学生数"),
    **{
        f"animal_{en.lower()}": (en, zh)
        for en, zh in (
            ("Otter", "水獭"),
            ("Fox", "狐狸"),
            ("Owl", "猫头鹰"),
            ("Panda", "熊猫"),
            ("Koala", "考拉"),
            ("Tiger", "老虎"),
            ("Heron", "苍鹭"),
            ("Lynx", "猞猁"),
            ("Seal", "海豹"),
            ("Crane", "仙鹤"),
            ("Gecko", "壁虎"),
            ("Bison", "野牛"),
            ("Yak", "牦牛"),
            ("Robin", "知更鸟"),
            ("Hare", "野兔"),
            ("Moose", "驼鹿"),
            ("Swan", "天鹅"),
            ("Wolf", "狼"),
            ("Whale", "鲸鱼"),
            ("Finch", "雀"),
            ("Llama", "羊驼"),
            ("Puffin", "海鹦"),
            ("Badger", "獾"),
            ("Dolphin", "海豚"),
        )
    },
    "other_flower": (
        "The sidebar's flower is observed as {chosen}, but {ce} needs a flower observed as {needed}: this page uses the {needed} training flower.",
        "侧边栏中的花观察品种为{chosen}，而 {ce} 需要观察品种为{needed}的花：本页使用{needed}训练样本。",
    ),
    "which_ce": ("Derive", "推导"),
    "hand_derivation": ("hand derivation", "手推"),
    "correct": ("correct", "正确"),
    "use_it": ("Use it in the sidebar", "在侧边栏中使用它"),
    # page 8: the derivation checker
    "check_intro": (
        "Pick a step of the chain rule, write your own answer and press Enter. Use P_se, P_ve, P_vi, e^se (or exp(se)), log, numbers and + - * / ^ ( ); 2P_se means 2·P_se.",
        "选择链式法则中的一步，写下你自己的答案并按回车。可以使用 P_se、P_ve、P_vi、e^se（或 exp(se)）、log、数字以及 + - * / ^ ( )；2P_se 表示 2·P_se。",
    ),
    "check_species": ("Observed species", "观察品种"),
    "check_step": ("Step", "步骤"),
    "check_result": ("result", "结果"),
    "check_answer": ("Your answer", "你的答案"),
    "check_example": ("Check the hand derivation's last line: -P_se", "检查手推最后一行：-P_se"),
    "check_understood": ("What the checker read:", "检查器读到的是："),
    "check_right": (
        "Right. For the {flower} flower it is {value}.",
        "正确。对{flower}这朵花，它等于 {value}。",
    ),
    "hint_sign": (
        "Not quite: your answer has the wrong sign. Count the minus signs: two of them make a plus.",
        "还不对：符号反了。数一数负号：两个负号得正。",
    ),
    "hint_factor": (
        "Not quite: a factor is missing or extra. Multiply the three factors again, one at a time.",
        "还不对：少了或多了一个因子。把三个因子再逐个乘一遍。",
    ),
    "hint_reciprocal": (
        "Not quite: your answer is upside down. Check which way the fraction goes.",
        "还不对：分子分母颠倒了。检查分数的方向。",
    ),
    "hint_other": (
        "Not equivalent. Go back to the step's definition and differentiate it again.",
        "不等价。回到这一步的定义，重新求导。",
    ),
    "refused_length": ("That answer is too long: at most 200 characters.", "答案太长：最多 200 个字符。"),
    "refused_character": (
        "The checker does not read {character}. {instead}",
        "检查器不认识 {character}。{instead}",
    ),
    "refused_instead_equals": ("Type only the right-hand side, without =.", "只输入等号右边的部分，不要写 =。"),
    "refused_instead_comma": (
        "Write one formula, and decimals with a point: 0.5.",
        "只写一个公式，小数用小数点：0.5。",
    ),
    "refused_instead_brackets": ("Use round brackets ( ) or braces { }.", "请用圆括号 ( ) 或花括号 { }。"),
    "refused_instead_root": ("Write a root as a power: P_se^0.5.", "根号请写成幂：P_se^0.5。"),
    "refused_instead_divide": ("Write division with /: 1/P_vi.", "除法请用 /：1/P_vi。"),
    "refused_instead_latex": (
        "Of LaTeX it reads `\\frac{a}{b}`, `\\cdot`, `\\times`, `\\left( \\right)`, `\\ln`, `\\log` and `\\exp`; write the rest as plain text: `P_{se}`, `e^{se}`.",
        "LaTeX 中它认识 `\\frac{a}{b}`、`\\cdot`、`\\times`、`\\left( \\right)`、`\\ln`、`\\log` 和 `\\exp`；其余请写成普通文本：`P_{se}`、`e^{se}`。",
    ),
    "refused_instead_any": (
        "Use numbers, + - * / ^ ( ), P_se, P_ve, P_vi, e, exp and log; powers as ^2 or ².",
        "请只用数字、+ - * / ^ ( )、P_se、P_ve、P_vi、e、exp 和 log；幂写成 ^2 或 ²。",
    ),
    "refused_number": ("Numbers may have at most 8 digits.", "数字最多 8 位。"),
    "refused_name": (
        "Only the names P_se, P_ve, P_vi (also written P_{se} or Pse), se, ve, vi, e, exp and log can be used.",
        "只能使用 P_se、P_ve、P_vi（也可写成 P_{se} 或 Pse）、se、ve、vi、e、exp 和 log 这些名字。",
    ),
    "refused_empty": ("Type a formula first.", "请先输入公式。"),
    "refused_size": ("That formula is too long to check.", "公式太长，无法检查。"),
    "refused_depth": ("That formula is nested too deeply.", "公式嵌套太深。"),
    "refused_syntax": (
        "That is not a complete formula: check the brackets and operators.",
        "这不是完整的公式：请检查括号和运算符。",
    ),
    "refused_tower": ("Exponent towers such as a^b^c are not checked.", "不检查 a^b^c 这样的指数塔。"),
    "refused_exponent": (
        "Only e can be raised to a formula; other powers need a plain number from -10 to 10.",
        "只有 e 的指数可以是公式；其他幂的指数必须是 -10 到 10 之间的数。",
    ),
    "refused_target": ("That step does not exist.", "该步骤不存在。"),
    # descriptions of the figures, for screen readers
    "alt_graph": (
        "Computational graph for the {species} flower, each node with its value: {values}.",
        "{species}这朵花的计算图，各节点及其数值：{values}。",
    ),
    "alt_surfaces": (
        "Two 3D surfaces over petal and sepal width: blue and orange, which do not depend on b3. At this flower blue is {blue} and orange {orange}.",
        "花瓣与花萼宽度上的两个三维曲面：blue 与 orange，它们与 b3 无关。在当前这朵花处 blue 为 {blue}，orange 为 {orange}。",
    ),
    "alt_green_surface": (
        "The 3D surface green = blue + orange + b3 over petal and sepal width (b3 = {b3}). At this flower green is {green}.",
        "花瓣与花萼宽度上的三维曲面 green = blue + orange + b3（b3 = {b3}）。在当前这朵花处 green 为 {green}。",
    ),
    "alt_softmax": (
        "Bar charts of the raw outputs, their SoftMax probabilities and ArgMax's 0 or 1, per species (raw → probability): {pairs}.",
        "各品种的原始输出、SoftMax 概率与 ArgMax 的 0/1 柱状图（原始输出 → 概率）：{pairs}。",
    ),
    "alt_argmax": (
        "P_se as green changes: SoftMax rises smoothly, ArgMax jumps from 0 to 1. This flower: green = {green}, P_se = {p}.",
        "green 变化时的 P_se：SoftMax 平滑上升，ArgMax 从 0 跳到 1。当前这朵花：green = {green}，P_se = {p}。",
    ),
    "alt_neg_log": (
        "The curve -log(p) against p, with the three training flowers: {points}.",
        "-log(p) 随 p 变化的曲线，以及三个训练样本：{points}。",
    ),
    "alt_total_ce": (
        "Total CE against b3, with the tangent at b3 = {b3}: Total CE {total}, slope {slope}, and the gradient descent path.",
        "总交叉熵随 b3 变化的曲线，b3 = {b3} 处的切线：总交叉熵 {total}，斜率 {slope}，以及梯度下降路径。",
    ),
    "alt_descent": (
        "Animation of gradient descent from b3 = {start}: {steps} steps to b3 = {b3}, Total CE {total}.",
        "从 b3 = {start} 开始的梯度下降动画：{steps} 步到达 b3 = {b3}，总交叉熵 {total}。",
    ),
    "alt_flow": (
        "Animation of the gradient flowing back from {source} to b3 through P and green; dCE/db3 = {gradient}.",
        "梯度从 {source} 经 P 和 green 传回 b3 的动画；dCE/db3 = {gradient}。",
    ),
    "alt_gradients": (
        "Bar chart of the gradient of all {count} weights and biases, backpropagation beside finite differences; the largest is {name} = {value}.",
        "全部 {count} 个权重和偏置的梯度柱状图，反向传播与有限差分并排；最大的是 {name} = {value}。",
    ),
    # page titles
    "page_network": ("1 · The network", "1 · 神经网络"),
    "page_softmax": ("2 · SoftMax and ArgMax", "2 · SoftMax 与 ArgMax"),
    "page_cross_entropy": ("3 · Cross entropy", "3 · 交叉熵"),
    "page_chain_se": ("4 · Chain rule: CE_se → b3", "4 · 链式法则：CE_se → b3"),
    "page_chain_vi": ("5 · CE_vi and CE_ve → b3", "5 · CE_vi 与 CE_ve → b3"),
    "page_descent": ("6 · Total CE and gradient descent", "6 · 总交叉熵与梯度下降"),
    "page_flow": ("7 · Gradient flow", "7 · 梯度流动"),
    "page_check": ("8 · Check your own derivation", "8 · 检查你的推导"),
    "page_beyond": ("9 · Beyond b3", "9 · b3 之外"),
    # shared words
    "value": ("value", "数值"),
    "observed": ("observed", "观察"),
    "observed_as": ("observed: {species}", "观察：{species}"),
    "flower": ("flower", "花"),
    "species": ("species", "品种"),
    "petal": ("petal width", "花瓣宽度"),
    "sepal": ("sepal width", "花萼宽度"),
    "scaled_petal": ("petal width (scaled)", "花瓣宽度（缩放后）"),
    "scaled_sepal": ("sepal width (scaled)", "花萼宽度（缩放后）"),
    "current_flower": ("this flower", "当前这朵花"),
    "finite_difference": ("finite difference", "有限差分"),
    "agrees": ("agrees", "一致"),
    "disagrees": (
        "disagrees",
        "不一致",
    ),
    "network_intro": (
        "StatQuest's Iris network: two scaled inputs, two ReLU hidden nodes, three raw outputs, then SoftMax and cross entropy. The setosa output is the hand derivation's **green = blue + orange + b3**; move b3 in the sidebar and watch every number downstream change.",
        "StatQuest 的鸢尾花神经网络：两个缩放后的输入、两个 ReLU 隐藏节点、三个原始输出，再经过 SoftMax 和交叉熵。山鸢尾的输出就是手推中的 **green = blue + orange + b3**；在侧边栏移动 b3，看下游每个数如何变化。",
    ),
    "surfaces_title": (
        "The blue, orange and green surfaces",
        "蓝色、橙色与绿色曲面",
    ),
    "surfaces_intro": (
        "As StatQuest draws them: each hidden node, scaled by its output weight, bends a surface over (petal width, sepal width); green is their sum shifted by b3. The black dot is this flower (petal and sepal are the scaled widths).",
        "与 StatQuest 的画法一致：每个隐藏节点乘以输出权重后，在（花瓣宽度，花萼宽度）平面上弯出一个曲面；绿色曲面是二者之和再平移 b3。黑色圆点是当前这朵花（花瓣、花萼为缩放后的宽度）。",
    ),
    "raw_outputs": (
        "Raw outputs",
        "原始输出",
    ),
    "output_for_setosa": (
        "output for setosa",
        "山鸢尾的输出",
    ),
    "argmax_title": (
        "Why ArgMax cannot be trained",
        "为什么 ArgMax 无法训练",
    ),
    "argmax_text": (
        "ArgMax outputs 1 for the largest raw value and 0 for the others. As green moves, its output jumps between 0 and 1 and is flat everywhere else: its derivative is 0, so the chain rule has nothing to carry back to b3. SoftMax bends smoothly, and its slope is exactly factor ② of the chain rule:",
        "ArgMax 对最大的原始输出给 1，其余给 0。green 变化时，它的输出在 0 和 1 之间跳变，其余处处平坦：导数为 0，链式法则没有东西可以传回 b3。SoftMax 则平滑弯曲，它的斜率正是链式法则的因子 ②：",
    ),
    "shift_title": (
        "A shared shift changes nothing, and keeps the numbers finite",
        "整体平移不改变结果，还能避免溢出",
    ),
    "shift_text": (
        "Adding the same c to every raw value multiplies top and bottom of the SoftMax by e^c, so the probabilities stay the same. Computed naively, e^1000 overflows and the result is nan; the app subtracts the largest raw value first (log-sum-exp), so it stays exact for any raw values.",
        "给每个原始输出加上同一个 c，SoftMax 的分子分母同乘 e^c，概率不变。若直接计算，e^1000 会溢出得到 nan；本应用先减去最大的原始输出（log-sum-exp），对任何原始输出都保持精确。",
    ),
    "shift_label": (
        "Shared shift c",
        "整体平移 c",
    ),
    "naive": (
        "naive e^x / Σ e^x",
        "直接计算 e^x / Σ e^x",
    ),
    "stable": (
        "stable (shift by max)",
        "稳定算法（减去最大值）",
    ),
    "shift_caption": (
        "Slide c past about ±710 to see the naive column fail.",
        "把 c 拖到约 ±710 以外，直接计算的那一列就会失败。",
    ),
    "ce_intro": (
        "Cross entropy compares the observed probabilities with the predicted ones. With one observed species, only one term survives.",
        "交叉熵比较观察概率与预测概率。每朵花只有一个观察到的品种，所以只剩下一项。",
    ),
    "ce_table_title": (
        "The training flowers at b3 = {b3}",
        "b3 = {b3} 时的训练样本",
    ),
    "forward_pass": ("forward pass", "前向传播"),
    "pause": ("pause", "暂停"),
    "frame": ("step", "步骤"),
    "flow_intro": (
        "Press ▶ and follow the pulse: first the forward pass fills in every value, then the gradient travels back from CE through P and green to b3. Each edge it crosses shows its local derivative (factors ①, ② and ③ of pages 4 and 5) and the running product. The animation plays in your browser; drag the slider to step forward or back.",
        "按 ▶ 并跟随光点：先是前向传播逐层填入数值，然后梯度从 CE 经过 P 和 green 传回 b3。它经过的每条边都会显示局部导数（第 4、5 页的因子 ①、②、③）和累乘结果。动画在浏览器中播放；拖动滑块可以前进或后退一步。",
    ),
    "flow_source": ("The gradient starts from", "梯度的起点"),
    "source_se": ("CE_se", "CE_se"),
    "source_vi": ("CE_vi", "CE_vi"),
    "source_ve": ("CE_ve", "CE_ve"),
    "source_total": ("Total CE", "总 CE"),
    "flow_caption": (
        "The three training flowers of StatQuest part 7 (CE_se is the setosa flower's, CE_ve the versicolor one's, CE_vi the virginica one's), at the b3 chosen in the sidebar. The figure opens on the last step that shows every value (for Total CE the virginica flower's; the step after it adds the three flowers' gradients); drag the slider back to the start and press ▶ to replay it.",
        "使用 StatQuest 第 7 集的三个训练样本（CE_se 属于山鸢尾样本，CE_ve 属于变色鸢尾样本，CE_vi 属于维吉尼亚鸢尾样本），b3 取侧边栏中的值。图表打开时停在显示全部数值的最后一步（总 CE 时是维吉尼亚鸢尾样本的；下一步把三个样本的梯度相加）；拖动滑块回到开头再按 ▶ 即可重播。",
    ),
    "descent_anim_title": ("Watch gradient descent", "观看梯度下降"),
    "descent_anim_caption": (
        "From b3 = -2, as in StatQuest part 7, with the learning rate chosen above: press ▶ and watch the point slide down while the tangent turns flat.",
        "与 StatQuest 第 7 集一样从 b3 = -2 出发，使用上面选择的学习率：按 ▶，看点沿曲线滑下、切线逐渐变平。",
    ),
    "p_observed": ("P(observed species)", "P(观察品种)"),
    "predicted_probability": (
        "p = predicted probability of the observed species",
        "p = 观察品种的预测概率",
    ),
    "observed_word": ("Observed", "观察"),
    "predicted_word": ("Predicted", "预测"),
    "total_word": ("Total", "总"),
    "ce_this_flower": (
        "CE of the chosen flower (observed: {species})",
        "所选花的交叉熵（观察：{species}）",
    ),
    "neg_log_caption": (
        "-log(p) is 0 when the observed species gets probability 1 and grows without bound as it goes to 0.",
        "当观察品种的预测概率为 1 时 -log(p) 为 0；概率趋于 0 时它无限增大。",
    ),
    "chain_se_intro": (
        "When the observed species is setosa, CE_se = -log(P_se). Only green = Raw_se depends on b3, so the gradient travels CE_se → P_se → green → b3 (highlighted). Each factor below is derived by sympy and written in the notation of the hand derivation, then filled in with the flower's numbers.",
        "当观察品种是山鸢尾时，CE_se = -log(P_se)。只有 green = Raw_se 与 b3 有关，所以梯度沿 CE_se → P_se → green → b3 传回（高亮路径）。下面每个因子都由 sympy 推导并写成手推中的记号，再代入所选花的数值。",
    ),
    "fd_check": (
        "Check: the finite difference of {ce} in b3 is {fd}; the chain rule gives {chain}: it {verdict}.",
        "检验：{ce} 对 b3 的有限差分为 {fd}；链式法则给出 {chain}：二者{verdict}。",
    ),
    "chain_vi_intro": (
        "When the observed species is virginica (or versicolor), CE = -log(P_vi). P_vi still depends on green, through the SoftMax denominator, so b3 still gets a gradient: factor ② is now -P_se P_vi.",
        "当观察品种是维吉尼亚鸢尾（或变色鸢尾）时，CE = -log(P_vi)。P_vi 通过 SoftMax 的分母仍依赖 green，所以 b3 仍有梯度：因子 ② 变成 -P_se P_vi。",
    ),
    "slip_title": (
        "The common mistake: the last line of the hand derivation",
        "常见错误：手推最后一行",
    ),
    "slip_text": (
        "The hand derivation ends with dCE_vi/db3 = -P_se, which for the {flower} flower would be {wrong}. But (-1/P_vi)·(-P_se P_vi)·1 = +P_se = {right}: two minus signs make a plus. The finite difference, {fd}, sides with +P_se.",
        "手推最后写成 dCE_vi/db3 = -P_se，对{flower}这朵花即 {wrong}。但 (-1/P_vi)·(-P_se P_vi)·1 = +P_se = {right}：负负得正。有限差分 {fd} 支持 +P_se。",
    ),
    "general_rule": (
        "In general, for the observed class c and any raw output k:",
        "一般地，对观察类别 c 和任意原始输出 k：",
    ),
    "descent_intro": (
        "StatQuest part 7 starts at b3 = -2 and adds up the cross entropy of the three training flowers. Its derivative is the sum of the pieces from pages 4 and 5: P_se - 1 for the setosa flower, P_se for the other two.",
        "StatQuest 第 7 集从 b3 = -2 开始，把三个训练样本的交叉熵相加。它的导数就是第 4、5 页各部分之和：山鸢尾样本为 P_se - 1，另外两个为 P_se。",
    ),
    "descent_samples_caption": (
        "CE_se is the setosa training flower's, CE_ve the versicolor one's, CE_vi the virginica one's; each P_se is that flower's own.",
        "CE_se 属于山鸢尾训练样本，CE_ve 属于变色鸢尾样本，CE_vi 属于维吉尼亚鸢尾样本；每个 P_se 都是该样本自己的。",
    ),
    "learning_rate": (
        "Learning rate η",
        "学习率 η",
    ),
    "steps_shown": (
        "Steps of descent shown",
        "显示的下降步数",
    ),
    "one_step": (
        "Take one step",
        "走一步",
    ),
    "run_to_end": (
        "Run until it settles",
        "一直走到收敛",
    ),
    "reset_b3": (
        "Back to b3 = -2",
        "回到 b3 = -2",
    ),
    "path_title": (
        "The descent path from the current b3",
        "从当前 b3 出发的下降路径",
    ),
    "step": (
        "step",
        "步",
    ),
    "total_ce": (
        "Total CE",
        "总 CE",  # as the equations write it: 总 CE = CE_se + CE_ve + CE_vi
    ),
    "gradient": (
        "dTotalCE/db3",
        "d总 CE/db3",
    ),
    "tangent": (
        "tangent, slope {slope}",
        "切线，斜率 {slope}",
    ),
    "tangent_plain": ("tangent", "切线"),
    "descent_path": (
        "gradient descent",
        "梯度下降",
    ),
    "beyond_intro": (
        "Everything on pages 4-6 is one entry of a bigger picture: the gradient of CE with respect to every raw output, the SoftMax Jacobian, and through backpropagation every weight and bias of the network.",
        "第 4-6 页的内容只是更大图景中的一项：CE 对每个原始输出的梯度、SoftMax 的雅可比矩阵，以及通过反向传播得到的网络中每个权重和偏置的梯度。",
    ),
    "vector_form": (
        "The vector form: p - y",
        "向量形式：p - y",
    ),
    "jacobian_title": (
        "The full SoftMax Jacobian",
        "完整的 SoftMax 雅可比矩阵",
    ),
    "all_gradients_title": (
        "The gradient of every weight and bias",
        "每个权重和偏置的梯度",
    ),
    "gradient_axis": ("dCE / d parameter", "dCE / d 参数"),
    "rows_c": ("rows c = se, ve, vi", "各行 c = se, ve, vi"),
    "hidden_title": ("Recompute it by hand", "亲手算一遍"),
    "parameter": (
        "parameter",
        "参数",
    ),
    "backprop": (
        "backpropagation",
        "反向传播",
    ),
    "all_gradients_caption": (
        "For the chosen flower and its observed species. Finite differences use a step of 1e-6; |Δ| is their distance from backpropagation. A weight or bias feeding a ReLU whose input is negative gets no gradient: the ReLU is flat there.",
        "针对所选的花及其观察品种。有限差分的步长为 1e-6；|Δ| 是它与反向传播结果的差。输入为负的 ReLU 是平的，流入它的权重和偏置的梯度为 0。",
    ),
}


def nickname(name: str, lang: str) -> str:
    """A student's nickname as people read it: "otter-42" is "Otter 42", 水獭 42; "" (a student of an
    older class) is a dash."""
    animal, _, number = name.partition("-")
    return f"{t('animal_' + animal, lang)} {number}" if f"animal_{animal}" in TEXT and number else "–"


def t(key: str, lang: str, **values) -> str:
    """The text for `key` in `lang` ("en" or "zh"), with {placeholders} filled from `values`."""
    en, zh = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text
