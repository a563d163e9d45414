#!/bin/sh
# Writes X.tshark.tsv beside each capture X.pcap here: one row per packet,
# one column per Wireshark field (its first occurrence, as in the shared
# corpus's exports), with tshark 4.0's settings of that corpus. Run after
# the make_*.py scripts; tshark is needed only here, never by the tests.
set -e
cd "$(dirname "$0")"
fields="frame.number frame.len frame.cap_len eth.src eth.dst eth.type vlan.id
 ip.src ip.dst ip.proto ip.id ip.ttl ip.len ip.hdr_len ip.flags.mf ip.frag_offset
 ipv6.src ipv6.dst ipv6.nxt ipv6.plen ipv6.opt.jumbo
 tcp.srcport tcp.dstport tcp.flags tcp.seq_raw tcp.ack_raw tcp.len tcp.stream tcp.seq tcp.ack
 udp.srcport udp.dstport udp.length udp.stream icmp.type icmp.code icmpv6.type
 arp.opcode arp.src.proto_ipv4 arp.dst.proto_ipv4 dns.id dns.qry.name
 gre.flags_and_version gre.proto gre.key gre.sequence_number gre.checksum
 erspan.version erspan.spanid gre.wccp.redirect_header
 vxlan.vni geneve.vni geneve.proto_type mpls.label mpls.bottom mpls.ttl
 pppoe.code pppoe.session_id ppp.protocol pim.type
 macsec.SL macsec.PN nsh.spi nsh.si nsh.nextproto
 _ws.malformed _ws.expert.message"
args=""
for f in $fields; do args="$args -e $f"; done
for cap in *.pcap; do
	tshark -r "$cap" -o tcp.desegment_tcp_streams:FALSE -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
		-o tcp.relative_sequence_numbers:TRUE -o tcp.analyze_sequence_numbers:TRUE \
		-T fields -E header=y -E occurrence=f -E separator=/t $args > "${cap%.pcap}.tshark.tsv" 2>/dev/null
done
