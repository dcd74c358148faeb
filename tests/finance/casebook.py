"""Small hand-built cases, one group of accounts per case, so one screening run answers every test.

Each case says which (indicator, account, role) must fire and which must not. Times are seconds after
T0 = 2024-03-01T00:00:00Z. Amounts are USD unless the currency says otherwise.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

T0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
H, D = 3600, 86400
HEADER = ["txn_id", "timestamp", "sender_id", "sender_name", "sender_country", "receiver_id", "receiver_name",
          "receiver_country", "amount", "currency", "channel", "reference"]


@dataclass
class Book:
    rows: list[list[str]] = field(default_factory=list)
    fires: list[tuple[str, str, str]] = field(default_factory=list)      # (indicator, account, role)
    quiet: list[tuple[str, str, str]] = field(default_factory=list)

    def pay(self, t: float, s: str, r: str, amount: float = 50.0, *, sc: str = "US", rc: str = "PH",
            cur: str = "USD", ch: str = "remittance", ref: str = "", sn: str | None = None,
            rn: str | None = None) -> None:
        ts = (T0 + dt.timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.rows.append([f"T{len(self.rows):05d}", ts, s, sn or f"Ann {s}", sc, r, rn or f"Ben {r}", rc,
                          f"{amount:.2f}", cur, ch, ref])

    def write(self, path: Path) -> Path:
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(HEADER)
            w.writerows(self.rows)
        return path


def build() -> Book:
    b = Book()
    # F1: low-value cross-border to a high-risk jurisdiction; 10 and 200 are inside, 9.99 / 200.01 not.
    b.pay(0, "f1-s", "f1-r", 50)
    b.pay(0, "f1-lo-s", "f1-lo-r", 10.00)
    b.pay(0, "f1-hi-s", "f1-hi-r", 200.00)
    b.pay(0, "f1-under-s", "f1-under-r", 9.99)
    b.pay(0, "f1-over-s", "f1-over-r", 200.01)
    b.pay(0, "f1-dom-s", "f1-dom-r", 50, sc="PH")
    b.pay(0, "f1-gb-s", "f1-gb-r", 50, rc="GB")
    b.fires += [("F1", a, "sender") for a in ("f1-s", "f1-lo-s", "f1-hi-s")] + [("F1", "f1-r", "receiver")]
    b.quiet += [("F1", a, "sender") for a in ("f1-under-s", "f1-over-s", "f1-dom-s", "f1-gb-s")]
    # F2: 3 F1 payments to one country within 30 days; the boundary (first and third exactly 30 days apart)
    # does not count: the window is (t - 30d, t].
    for t in (0, 5 * D, 10 * D):
        b.pay(t, "f2-s", "f2-r")
    for t in (0, 15 * D, 30 * D):
        b.pay(t, "f2-edge-s", "f2-edge-r")
    for t in (0, 1 * D):
        b.pay(t, "f2-two-s", "f2-two-r")
    b.fires.append(("F2", "f2-s", "sender"))
    b.quiet += [("F2", "f2-edge-s", "sender"), ("F2", "f2-two-s", "sender")]
    # F3: 3 distinct foreign senders to one receiver within 30 days.
    for i, t in enumerate((0, 2 * D, 4 * D)):
        b.pay(t, f"f3-s{i}", "f3-r")
    for i, t in enumerate((0, 1 * D, 2 * D)):
        b.pay(t, f"f3b-s{i % 2}", "f3b-r")           # 3 payments, 2 senders
    for i, t in enumerate((0, 15 * D, 30 * D)):
        b.pay(t, f"f3c-s{i}", "f3c-r")               # 3 senders, but 30 days apart end to end
    b.fires.append(("F3", "f3-r", "receiver"))
    b.quiet += [("F3", "f3b-r", "receiver"), ("F3", "f3c-r", "receiver")]
    # F4: one sender, 3 unrelated receivers in one HRJ within 30 days; family (same surname) does not count.
    for i in range(3):
        b.pay(i * D, "f4-s", f"f4-r{i}", sn="Tom Miller", rn=f"Rosa Cruz{i}")
        b.pay(i * D, "f4-fam-s", f"f4-fam-r{i}", sn="Tom Reyes", rn="Ana Reyes")
    b.fires.append(("F4", "f4-s", "sender"))
    b.quiet.append(("F4", "f4-fam-s", "sender"))
    # F5: PH inbound band PHP 1,000-10,000, remittance/e-wallet, from a main customer country.
    b.pay(0, "f5-s", "f5-r", 1000, cur="PHP")
    b.pay(0, "f5-hi-s", "f5-hi-r", 10000.01, cur="PHP")
    b.pay(0, "f5-bank-s", "f5-bank-r", 5000, cur="PHP", ch="bank")
    b.pay(0, "f5-my-s", "f5-my-r", 5000, cur="PHP", sc="MY")
    b.fires.append(("F5", "f5-r", "receiver"))
    b.quiet += [("F5", a, "receiver") for a in ("f5-hi-r", "f5-bank-r", "f5-my-r")]
    # F6: a cover word as a whole word on an F1 payment, any case, English or Indonesian.
    b.pay(0, "f6-s", "f6-r", ref="Happy Birthday GIFT!")
    b.pay(0, "f6-id-s", "f6-id-r", ref="hadiah ulang tahun")
    b.pay(0, "f6-part-s", "f6-part-r", ref="giftcard order")
    b.pay(0, "f6-nof1-s", "f6-nof1-r", rc="GB", ref="gift")
    b.fires += [("F6", "f6-s", "sender"), ("F6", "f6-id-s", "sender")]
    b.quiet += [("F6", "f6-part-s", "sender"), ("F6", "f6-nof1-s", "sender")]
    # F7: an @handle of 3+ characters or a platform name.
    b.pay(0, "f7-s", "f7-r", ref="add me @maria_88")
    b.pay(0, "f7-wa-s", "f7-wa-r", ref="WhatsApp later")
    b.pay(0, "f7-short-s", "f7-short-r", ref="hi @ab")
    b.fires += [("F7", "f7-s", "sender"), ("F7", "f7-wa-s", "sender")]
    b.quiet.append(("F7", "f7-short-s", "sender"))
    # F8: US is UTC-5: 04:30 UTC is 23:30 local. Half of 4 at night fires; 1 of 3 does not.
    for i in range(3):
        b.pay(i * D + 4.5 * H, "f8-s", "f8-r")
        b.pay(i * D + 17 * H, "f8-day-s", "f8-day-r")
    for i, hour in enumerate((4.5, 5.5, 17, 18)):
        b.pay(i * D + hour * H, "f8-half-s", "f8-half-r")
    for i, hour in enumerate((4.5, 17, 18)):
        b.pay(i * D + hour * H, "f8-third-s", "f8-third-r")
    b.fires += [("F8", "f8-s", "sender"), ("F8", "f8-half-s", "sender")]
    b.quiet += [("F8", "f8-day-s", "sender"), ("F8", "f8-third-s", "sender")]
    # F9: round amount (multiple of 5 units of the sending currency) on an F1 payment.
    b.pay(0, "f9-s", "f9-r", 55)
    b.pay(0, "f9-no-s", "f9-no-r", 52.5)
    b.fires.append(("F9", "f9-s", "sender"))
    b.quiet.append(("F9", "f9-no-s", "sender"))
    # F10: amounts double and gaps shrink on a pair of 6 payments; flat pairs and 5-payment pairs do not.
    for t, amt in zip((0, 10 * D, 20 * D, 21 * D, 22 * D, 23 * D), (20, 20, 20, 80, 80, 80), strict=True):
        b.pay(t, "f10-s", "f10-r", amt)
        b.pay(t, "f10-flat-s", "f10-flat-r", 20)
    for t, amt in zip((0, 10 * D, 20 * D, 21 * D, 22 * D), (20, 20, 80, 80, 80), strict=True):
        b.pay(t, "f10-five-s", "f10-five-r", amt)
    b.fires += [("F10", "f10-s", "sender"), ("F10", "f10-r", "receiver")]
    b.quiet += [("F10", "f10-flat-s", "sender"), ("F10", "f10-five-s", "sender")]
    # F11: a pair's 365-day total <= USD 1,000 with a cover word; over 1,000 it does not fire.
    b.pay(0, "f11-s", "f11-r", 100, ref="school fees")
    for i in range(6):
        b.pay(i * D, "f11-big-s", "f11-big-r", 190, ref="gift" if i == 5 else "")
    b.fires.append(("F11", "f11-s", "sender"))
    b.quiet.append(("F11", "f11-big-s", "sender"))
    # F12: 5 small e-wallet inbounds, then >= 80% of them sent on within 48 h of the last; 60% does not, nor
    # 4 inbounds, nor a payment 49 h after the last inbound.
    for name, out in (("f12", 200.0), ("f12-low", 150.0)):
        for i in range(5):
            b.pay(i * H, f"{name}-in{i}", f"{name}-m", 50, sc="PH", ch="ewallet")
        b.pay(6 * H, f"{name}-m", f"{name}-bank", out, sc="PH", ch="bank")
    for i in range(4):
        b.pay(i * H, f"f12-four-in{i}", "f12-four-m", 50, sc="PH", ch="ewallet")
    b.pay(6 * H, "f12-four-m", "f12-four-bank", 200, sc="PH", ch="bank")
    for i in range(5):
        b.pay(i * H, f"f12-late-in{i}", "f12-late-m", 50, sc="PH", ch="ewallet")
    b.pay(53 * H, "f12-late-m", "f12-late-bank", 240, sc="PH", ch="bank")
    b.fires.append(("F12", "f12-m", "receiver"))
    b.quiet += [("F12", "f12-low-m", "receiver"), ("F12", "f12-four-m", "receiver"), ("F12", "f12-late-m", "receiver")]
    # F13: 3 payments in 72 h to a new counterparty abroad, first < EUR 250, total <= EUR 1,500, then quiet.
    for name in ("f13", "f13-again", "f13-big"):
        first = 300 if name == "f13-big" else 100
        for i, amt in enumerate((first, 150, 150)):
            b.pay(i * 20 * H, f"{name}-v", f"{name}-o", amt, sc="GB", rc="NG", ch="ewallet", cur="GBP")
    b.pay(5 * D, "f13-again-v", "f13-again-o", 100, sc="GB", rc="NG", ch="ewallet", cur="GBP")
    b.fires += [("F13", "f13-v", "sender"), ("F13", "f13-o", "receiver")]
    # The victim also pays someone else at home, by card and under another country code: the alert's country
    # is the smallest of the account's countries in its role (AU) and its channels all it used (card, ewallet).
    b.pay(30 * D, "f13-v", "f13-v-home", 40, sc="AU", rc="AU", ch="card", cur="AUD")
    b.quiet += [("F13", "f13-again-v", "sender"), ("F13", "f13-big-v", "sender")]
    # F14: two flagged customers (F1+F2+F6+F9 = 4.0) pay one receiver; a third, unflagged sender pays it too.
    for c in ("f14-c1", "f14-c2"):
        for i in range(3):
            b.pay(i * D, c, "f14-r", 50, ref="gift")
    b.pay(0, "f14-x", "f14-r", 30)
    b.pay(0, "f14-lone", "f14-lone-r", 30)
    b.fires += [("F14", "f14-r", "receiver"), ("F14", "f14-x", "sender")]
    b.quiet += [("F14", "f14-lone", "sender"), ("F14", "f14-lone-r", "receiver")]
    return b
