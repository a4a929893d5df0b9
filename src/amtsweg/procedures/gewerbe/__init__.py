"""Pilot 1: business registration (Gewerbeanzeige, §§ 14, 15 GewO) as three plugin procedures of the case
engine
(Anmeldung GewA 1, Ummeldung GewA 2, Abmeldung GewA 3), the trade register of the municipalities, the case
worker's receipt with onward transmission in XGewerbeanzeige 2.2, the guided move of a business, ex-officio
deregistration and the monthly statistics message. See docs/gewerbe.md."""
