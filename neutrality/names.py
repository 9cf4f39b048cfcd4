"""Names compared as people write them: full- and half-width forms, 简体 and 繁體, case, blanks.

Pure: no database, no Flask.

Site names in activity files, the claimant's names in registry beneficiary fields: the same name
written in another script or width must compare equal (佛山獅山工廠 = 佛山狮山工厂, ＦＳ 工厂 = fs工厂).
"""

from __future__ import annotations

import unicodedata

#: Traditional characters (繁體) of the words factory, site and place names are made of, each with
#: its simplified form (简体), written in pairs: enough to match 佛山獅山工廠 with 佛山狮山工厂.
#: (A full conversion is OpenCC's; site names need these.)
TRADITIONAL_PAIRS = """
    廣广 東东 蘇苏 遼辽 寧宁 龍龙 陝陕 肅肃 維维 爾尔 內内 雲云 貴贵 慶庆 灣湾 臺台 門门 壯壮
    區区 縣县 鎮镇 鄉乡 莊庄 園园 廠厂 場场 館馆 樓楼 號号 華华 關关 嶺岭 島岛 濱滨 陽阳 陰阴
    漢汉 錫锡 鹽盐 揚扬 連连 紹绍 溫温 麗丽 廈厦 贛赣 潯浔 鄭郑 開开 許许 駐驻 馬马 荊荆 黃黄
    岡冈 長长 嶽岳 張张 獅狮 頭头 遠远 順顺 禪禅 欽钦 義义 蘭兰 銀银 烏乌 魯鲁 齊齐 濟济 煙烟
    濰潍 臨临 棗枣 蘆芦 瀋沈 撫抚 錦锦 營营 鐵铁 綏绥 雞鸡 鶴鹤 雙双 鴨鸭 倉仓 崗岗 鄲郸 滄沧
    晉晋 運运 呂吕 崑昆 庫库 總总 辦办 實实 驗验 發发 電电 製制 產产 業业 線线 綫线 車车 間间
    機机 組组 設设 備备 鍋锅 爐炉 鋼钢 銅铜 鋁铝 礦矿 紡纺 織织 膠胶 藥药 纖纤 紙纸 矽硅 體体
    導导 熱热 氣气 處处 環环 節节 綠绿 術术 團团 責责 國国 際际 棟栋 層层 濤涛 滬沪 閩闽 粵粤
    隴陇 瓊琼 蓮莲 龜龟 鶯莺 觀观 楊杨 測测 試试 貨货 輸输 風风 儲储 變变 壓压 聯联 網网 萬万
    億亿 個个 時时 經经 稅税 碼码 橋桥 圍围 壩坝 閘闸 嶼屿 峽峡 廬庐 藍蓝 紅红 鳳凤 鳴鸣 鷹鹰
    鵬鹏 興兴 豐丰 達达 榮荣 寶宝 勝胜 強强 聖圣 匯汇 滙汇 創创 銳锐 鋒锋 鐘钟 鍾钟 陳陈 劉刘
    趙赵 吳吴 孫孙 鄧邓 馮冯 謝谢 韓韩 羅罗 葉叶 蕭萧 蔣蒋 盧卢 賴赖 鄒邹 湯汤 譚谭 賈贾 顧顾
    錢钱 範范 廳厅 貿贸 進进 據据 護护 裝装 灘滩 澤泽 灤滦 隨随 衛卫 滎荥 鞏巩 駝驼 畢毕 瀘泸
    綿绵 資资 樂乐 賓宾 涼凉 黨党 懷怀 鄖郧 婁娄 陸陆 鏈链 鋰锂 儀仪 錶表 纜缆 醫医 療疗 農农
    漁渔 飼饲 飲饮 釀酿 倫伦 訊讯 計计 積积 鹼碱 鈦钛 鎳镍 鋅锌 錳锰 鉻铬 鎂镁 鈣钙 鉀钾 鈉钠
    圓圆 顯显 觸触 頻频 標标 準准 規规 劃划 塊块 鄰邻 樞枢 紐纽 軍军 師师 彎弯 潤润 澗涧 溝沟
    渦涡 渾浑 濁浊 滿满 漲涨 潔洁 淨净 滌涤 潛潜 澱淀 濕湿 濾滤 燈灯 燒烧 煉炼 鑄铸 鍛锻 鍍镀
    鑽钻 鋸锯 鏟铲 輪轮 軸轴 輕轻 載载 轉转 輛辆 軌轨 輝辉 邊边 過过 還还 選选 遷迁 適适 遺遗
    釘钉 針针 鈴铃 鉛铅 銘铭 鋪铺 錄录 鍵键 鏡镜 鐳镭 閃闪 閉闭 問问 閣阁 闊阔 闆板 陣阵 隊队
    階阶 隱隐 雜杂 難难 靈灵 靜静 韻韵 項项 須须 預预 領领 顆颗 題题 額额 顏颜 類类 飛飞 饋馈
    駕驾 騰腾 鬥斗 魚鱼 鮮鲜 鳥鸟 鴻鸿 鵝鹅 麥麦 點点 齒齿 們们 來来 會会 對对 與与 為为 於于
    後后 從从 當当 兩两 動动 學学 數数 質质 權权 務务 員员 單单 價价 優优 傳传 條条 檢检 樣样
    樹树 滅灭 無无 狀状 獨独 現现 畫画 盡尽 監监 盤盘 確确 礎础 禮礼 種种 穩稳 築筑 簡简 糧粮
    紀纪 約约 級级 紗纱 細细 終终 結结 給给 絕绝 統统 絲丝 綜综 緊紧 編编 縮缩 繼继 續续 職职
    聲声 舊旧 藝艺 衝冲 補补 複复 見见 視视 親亲 覺觉 訂订 記记 評评 詢询 詳详 認认 說说 請请
    調调 論论 證证 識识 議议 讀读 貝贝 負负 財财 貢贡 費费 賣卖 購购 贊赞 軟软 輔辅 郵邮 錯错
    鎖锁 閱阅 險险 離离 頁页 頓顿 飯饭 養养 餘余 駛驶 驅驱 鬆松 鹵卤 麵面 齡龄 裡里 裏里 麼么
    羣群 遊游 溼湿 葯药 瀏浏 噸吨
"""
_TO_SIMPLIFIED = str.maketrans({pair[0]: pair[1] for pair in TRADITIONAL_PAIRS.split()})


def name_key(name: str) -> str:
    """Comparison form of a name: full-width forms folded to half-width (NFKC), 繁體 to 简体, no
    case, no blanks. 佛山獅山工廠, ＦＳ 工厂 and fs工厂 compare as 佛山狮山工厂 and fs工厂."""
    text = unicodedata.normalize("NFKC", name).translate(_TO_SIMPLIFIED).casefold()
    return "".join(text.split())
